variable "name" {
  description = "Helm release name for this set of objects (unique within the namespace)."
  type        = string
}

variable "namespace" {
  description = "Namespace of the Helm release; objects without metadata.namespace land here."
  type        = string
}

variable "manifests" {
  description = "Kubernetes objects to apply, already decoded (a tuple of objects of different shapes, hence `any`)."
  type        = any

  validation {
    condition     = alltrue([for m in var.manifests : can(m.apiVersion) && can(m.kind) && can(m.metadata.name)])
    error_message = "Every manifest needs apiVersion, kind and metadata.name."
  }
}

variable "wait" {
  description = "Wait until the objects are ready (Deployments available, PVCs bound) before the release counts as done."
  type        = bool
  default     = true
}
