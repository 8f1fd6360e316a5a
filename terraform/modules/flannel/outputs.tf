output "namespace" {
  description = "Namespace flannel runs in."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}

output "pod_cidr" {
  description = "Pod network the nodes get their /24s from."
  value       = var.pod_cidr
}

output "backend" {
  description = "flannel backend in use."
  value       = var.backend
}
