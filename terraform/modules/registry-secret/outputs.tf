output "name" {
  description = "Name of the image pull Secret, for a pod's imagePullSecrets."
  value       = kubernetes_secret_v1.this.metadata[0].name
}

output "server" {
  description = "Registry the Secret logs in to (Docker Hub appears as https://index.docker.io/v1/)."
  value       = nonsensitive(local.server)
}
