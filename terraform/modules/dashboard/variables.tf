variable "namespace" {
  description = "Namespace of the Kubernetes dashboard."
  type        = string
  default     = "kubernetes-dashboard"
}

variable "chart_version" {
  description = "Version of the kubernetes-dashboard Helm chart (https://kubernetes.github.io/dashboard/)."
  type        = string
  default     = "7.13.0"
}

variable "host" {
  description = "Host name of the dashboard behind Traefik, e.g. dashboard.home.arpa."
  type        = string
}

variable "login_role" {
  description = "ClusterRole of the login token the dashboard accepts: view (read-only, the default) or cluster-admin."
  type        = string
  default     = "view"

  validation {
    condition     = contains(["view", "cluster-admin"], var.login_role)
    error_message = "login_role must be view (read-only) or cluster-admin."
  }
}
