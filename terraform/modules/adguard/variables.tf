variable "namespace" {
  description = "Namespace AdGuard Home runs in."
  type        = string
  default     = "adguard"
}

variable "image" {
  description = "AdGuard Home container image (multi-arch, runs on arm64). Default: the pin in terraform/pins.yaml (images.adguard)."
  type        = string
  default     = null
}

variable "dns_ip" {
  description = "Fixed LAN address that answers DNS on TCP and UDP 53 (from MetalLB's fixed pool)."
  type        = string

  validation {
    condition     = can(cidrnetmask("${var.dns_ip}/32"))
    error_message = "dns_ip must be an IPv4 address."
  }
}

variable "host" {
  description = "Host name of the web UI behind Traefik, e.g. adguard.home.arpa."
  type        = string
}

variable "nfs" {
  description = "NFS export holding AdGuard's conf/ and work/ (under adguard/ in the export; kubelet creates the folders)."
  type = object({
    server = string
    path   = string
  })

  validation {
    condition     = var.nfs.server != "" && startswith(var.nfs.path, "/")
    error_message = "nfs.server must be set and nfs.path must be an absolute path on the server."
  }
}

variable "storage_size" {
  description = "Size recorded on the NFS PersistentVolume (NFS does not enforce it)."
  type        = string
  default     = "1Gi"
}

variable "registry_credentials" {
  description = "Optional registry login (server, username, password) for pulling the AdGuard Home image (Docker Hub by default); null: anonymous pulls. From TF_VAR_registry_credentials via the root module."
  type = object({
    server   = string
    username = string
    password = string
  })
  default   = null
  sensitive = true
}
