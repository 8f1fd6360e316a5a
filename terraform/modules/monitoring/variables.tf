variable "namespace" {
  description = "Namespace of Prometheus, Alertmanager, Grafana and the exporters."
  type        = string
  default     = "monitoring"
}

variable "chart_version" {
  description = "Version of the kube-prometheus-stack Helm chart (https://prometheus-community.github.io/helm-charts). Default: the pin in terraform/pins.yaml (charts.kube-prometheus-stack)."
  type        = string
  default     = null
}

variable "grafana_host" {
  description = "Host name of Grafana behind Traefik, e.g. grafana.home.arpa."
  type        = string
}

variable "grafana_admin_password" {
  description = "Grafana admin password (from TF_VAR_grafana_admin_password or terraform/secrets/); never admin:admin."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.grafana_admin_password) >= 12 && var.grafana_admin_password != "admin"
    error_message = "The Grafana admin password is missing or shorter than 12 characters: run `pi-cluster addons tfvars` (it generates terraform/secrets/grafana-admin-password) or set TF_VAR_grafana_admin_password."
  }
}

variable "retention" {
  description = "How long Prometheus keeps samples (Prometheus duration, e.g. 7d)."
  type        = string
  default     = "7d"

  validation {
    condition     = can(regex("^[0-9]+(ms|s|m|h|d|w|y)$", var.retention))
    error_message = "retention must be a Prometheus duration such as 12h, 7d or 2w."
  }
}
