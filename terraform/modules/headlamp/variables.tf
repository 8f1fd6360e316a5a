variable "namespace" {
  description = "Namespace of Headlamp, the Kubernetes web UI."
  type        = string
  default     = "headlamp"
}

variable "chart_version" {
  description = "Version of the headlamp Helm chart (https://kubernetes-sigs.github.io/headlamp/). Default: the pin in terraform/pins.yaml (charts.headlamp)."
  type        = string
  default     = null
}

variable "host" {
  description = "Host name of Headlamp behind Traefik, e.g. headlamp.home.arpa."
  type        = string
}

variable "login_role" {
  description = "ClusterRole of the login token: view (read-only, the default) or cluster-admin."
  type        = string
  default     = "view"

  validation {
    condition     = contains(["view", "cluster-admin"], var.login_role)
    error_message = "login_role must be view (read-only) or cluster-admin."
  }
}
