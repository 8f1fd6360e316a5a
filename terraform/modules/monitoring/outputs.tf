output "grafana_url" {
  description = "Grafana (user admin, password from terraform/secrets/grafana-admin-password or TF_VAR_grafana_admin_password)."
  value       = "https://${var.grafana_host}/"
}

output "namespace" {
  description = "Namespace of the monitoring stack."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}

output "prometheus_port_forward" {
  description = "Command that makes Prometheus reachable on http://localhost:9090 (it has no route of its own)."
  value       = "kubectl -n ${kubernetes_namespace_v1.this.metadata[0].name} port-forward svc/kube-prometheus-stack-prometheus 9090"
}
