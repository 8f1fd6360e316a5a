output "load_balancer_ip" {
  description = "LAN address of the ingress; every add-on host name must resolve to it."
  value       = var.load_balancer_ip
}

output "dashboard_url" {
  description = "Traefik dashboard (basic authentication)."
  value       = "https://${var.dashboard_host}/dashboard/"
}

output "dashboard_user" {
  description = "User name for the Traefik dashboard."
  value       = var.dashboard_user
}

output "namespace" {
  description = "Namespace Traefik runs in."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}
