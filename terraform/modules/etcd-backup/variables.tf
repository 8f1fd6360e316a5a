variable "namespace" {
  description = "Namespace of the backup CronJob (kube-system: it reads the control plane's etcd certificates)."
  type        = string
  default     = "kube-system"
}

variable "schedule" {
  description = "When to take a snapshot, in cron syntax (default: every night at 03:00)."
  type        = string
  default     = "0 3 * * *"

  validation {
    condition     = length(split(" ", trimspace(var.schedule))) == 5 || startswith(var.schedule, "@")
    error_message = "schedule must be a 5-field cron expression such as \"0 3 * * *\", or a macro such as @daily."
  }
}

variable "time_zone" {
  description = "IANA time zone of the schedule (e.g. Europe/Berlin); empty: the controller manager's, usually UTC."
  type        = string
  default     = ""
}

variable "keep" {
  description = "How many backups (etcd-backup-<UTC date>.enc) to keep on the NFS share, the new one included; older ones are deleted after each new one."
  type        = number
  default     = 7

  validation {
    condition     = var.keep >= 1 && floor(var.keep) == var.keep
    error_message = "keep must be a whole number of snapshots, at least 1."
  }
}

variable "nfs" {
  description = "NFS export that receives the snapshots (the folder must exist and be writable by root from the nodes)."
  type = object({
    server = string
    path   = string
  })

  validation {
    condition     = var.nfs.server != "" && startswith(var.nfs.path, "/")
    error_message = "nfs.server must be set and nfs.path must be an absolute path on the server."
  }
}

variable "etcd_image" {
  description = "Image that provides etcdctl; use the etcd version kubeadm runs (kubeadm config images list). Default: the pin in terraform/pins.yaml (images.etcd)."
  type        = string
  default     = null
}

variable "node_image" {
  description = "Image with Alpine's busybox and Node.js (>= 20) that seals the snapshot and the PKI into one encrypted file and deletes old ones; the etcd container only runs etcdctl. Default: the pin in terraform/pins.yaml (images.node)."
  type        = string
  default     = null
}

variable "public_key" {
  description = "Public half (PEM) of the project's X25519 backup key, .pi-cluster/etcd-backup.pub (written by `pi-cluster addons tfvars`). Backups are sealed for it; only .pi-cluster/etcd-backup.key opens them."
  type        = string

  validation {
    condition     = startswith(trimspace(var.public_key), "-----BEGIN PUBLIC KEY-----") && endswith(trimspace(var.public_key), "-----END PUBLIC KEY-----")
    error_message = "public_key must be a PEM public key (.pi-cluster/etcd-backup.pub), never the private key."
  }
}

variable "registry_credentials" {
  description = "Optional registry login (server, username, password) for pulling the backup images (busybox from Docker Hub by default); null: anonymous pulls. From TF_VAR_registry_credentials via the root module."
  type = object({
    server   = string
    username = string
    password = string
  })
  default   = null
  sensitive = true
}
