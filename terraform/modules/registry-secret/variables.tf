variable "namespace" {
  description = "Namespace whose pods pull with this Secret (it must exist)."
  type        = string
}

variable "name" {
  description = "Name of the Secret; pods list it under imagePullSecrets."
  type        = string
  default     = "pi-cluster-registry"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", var.name)) && length(var.name) <= 253
    error_message = "name must be a Kubernetes object name (lowercase letters, digits, - and .)."
  }
}

variable "credentials" {
  description = "Registry login: server (host[:port], e.g. docker.io or registry.example:5000), username, password."
  type = object({
    server   = string
    username = string
    password = string
  })
  sensitive = true

  validation {
    # Only the server is named: Terraform prints the value of every attribute a failed condition names.
    condition     = alltrue([for field, value in var.credentials : trimspace(value) != ""]) && can(regex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?$", var.credentials.server))
    error_message = "The registry credentials need server (a host name such as docker.io or registry.example:5000, without https://), username and password."
  }
}
