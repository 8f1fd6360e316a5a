variable "name" {
  description = "Helm release name, unique in its namespace; charts build their object names from it."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.name)) && length(var.name) <= 53
    error_message = "name must be a lowercase DNS label of at most 53 characters (Helm's limit), not \"${var.name}\"."
  }
}

variable "namespace" {
  description = "Namespace the release is installed into."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.namespace)) && length(var.namespace) <= 63
    error_message = "namespace must be a lowercase DNS label of at most 63 characters, not \"${var.namespace}\"."
  }
}

variable "create_namespace" {
  description = "Let Helm create the namespace; leave false when the add-on creates it itself (with Pod Security labels)."
  type        = bool
  default     = false
}

variable "chart" {
  description = "Chart name in the repository, or a path to a local chart when repository is null."
  type        = string

  validation {
    condition     = trimspace(var.chart) != ""
    error_message = "chart must name a chart."
  }
}

variable "repository" {
  description = "Chart repository URL (https:// or oci://); null for a local chart."
  type        = string
  default     = null

  validation {
    condition     = var.repository == null || can(regex("^(https|oci)://[^\\s]+$", var.repository))
    error_message = "repository must be an https:// or oci:// URL, or null for a local chart."
  }
}

variable "chart_version" {
  description = "Exact chart version (e.g. 39.0.8 or v0.27.4); required with a repository so that every apply installs the same chart."
  type        = string
  default     = null

  validation {
    condition     = var.chart_version == null || can(regex("^v?[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$", var.chart_version))
    error_message = "chart_version must be one exact version such as 39.0.8, not a range."
  }

  validation {
    condition     = var.repository == null || var.chart_version != null
    error_message = "chart_version must be set for a chart from a repository (${coalesce(var.repository, "-")}): pin it."
  }
}

variable "values" {
  description = "Chart values as YAML documents (e.g. [yamlencode(local.chart_values)]), later ones win."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for doc in var.values : can(yamldecode(doc))])
    error_message = "Every entry of values must be a YAML document."
  }
}

variable "set_sensitive" {
  description = "Secret chart values by dotted path (e.g. { \"auth.password\" = var.password }): passed as strings and kept out of plan output."
  type        = map(string)
  default     = {}
  sensitive   = true

  validation {
    condition     = alltrue([for path in keys(var.set_sensitive) : can(regex("^[A-Za-z0-9_]", path))])
    error_message = "Every key of set_sensitive must be a value path such as auth.password."
  }
}

variable "wait" {
  description = "Wait until the release's Deployments, DaemonSets and Services are ready before it counts as done."
  type        = bool
  default     = true
}

variable "atomic" {
  description = "Undo a failed install or upgrade (uninstall or roll back, and delete what it created), so the next apply can try again."
  type        = bool
  default     = true
}

variable "timeout" {
  description = "Seconds Helm waits for the release's objects to be ready (first installs on a Pi pull images over Wi-Fi)."
  type        = number
  default     = 600

  validation {
    condition     = var.timeout >= 1 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds, at least 1."
  }
}

variable "max_history" {
  description = "Release revisions Helm keeps (0: all)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_history >= 0 && floor(var.max_history) == var.max_history
    error_message = "max_history must be a whole number, 0 or more."
  }
}
