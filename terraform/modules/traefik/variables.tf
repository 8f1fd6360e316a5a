variable "namespace" {
  description = "Namespace Traefik runs in."
  type        = string
  default     = "traefik"
}

variable "chart_version" {
  description = "Version of the Traefik Helm chart (https://traefik.github.io/charts), Traefik v3. Default: the pin in terraform/pins.yaml (charts.traefik)."
  type        = string
  default     = null
}

variable "load_balancer_ip" {
  description = "Fixed LAN address of the ingress (from MetalLB's fixed pool); point *.<domain> here."
  type        = string

  validation {
    condition     = can(cidrnetmask("${var.load_balancer_ip}/32"))
    error_message = "load_balancer_ip must be an IPv4 address."
  }
}

variable "dashboard_host" {
  description = "Host name of the Traefik dashboard, e.g. traefik.home.arpa."
  type        = string
}

variable "dashboard_user" {
  description = "User name for the dashboard's basic authentication."
  type        = string
  default     = "admin"
}

variable "dashboard_password" {
  description = "Password for the dashboard's basic authentication (from TF_VAR_traefik_dashboard_password or terraform/secrets/)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.dashboard_password) >= 12
    error_message = "The Traefik dashboard password is missing or shorter than 12 characters: run `pi-cluster addons tfvars` (it generates terraform/secrets/traefik-dashboard-password) or set TF_VAR_traefik_dashboard_password."
  }
}
