output "name" {
  description = "Name of the Helm release (helm -n <namespace> status <name>)."
  value       = helm_release.this.name
}

output "namespace" {
  description = "Namespace the release is installed in."
  value       = helm_release.this.namespace
}

output "chart" {
  description = "Chart and the version installed, as chart@version."
  value       = "${var.chart}@${coalesce(helm_release.this.version, "local")}"
}

output "status" {
  description = "Helm's status of the release (deployed, failed, ...)."
  value       = helm_release.this.status
}
