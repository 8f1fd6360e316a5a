output "url" {
  description = "Headlamp, the Kubernetes web UI; log in with the token from `terraform output -raw headlamp_token`."
  value       = "https://${var.host}/"
}

output "login_role" {
  description = "What the login token may do (view = read-only)."
  value       = var.login_role
}

output "token" {
  description = "Bearer token of the Headlamp login account."
  value       = kubernetes_secret_v1.login_token.data["token"]
  sensitive   = true
}
