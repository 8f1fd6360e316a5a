# Written by `pi-cluster addons tfvars` into cluster.auto.tfvars.json from pi-cluster.yaml and pi-hosts:
# edit pi-cluster.yaml, not these. The same checks run in the CLI first, with messages that name the YAML setting.

variable "cluster" {
  description = "Cluster name (kubeconfig context) and the DNS domain the add-ons get names under (traefik.<domain>, ...)."
  type = object({
    name   = string
    domain = string
  })

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", var.cluster.domain))
    error_message = "cluster.domain must be a DNS domain like home.arpa, not \"${var.cluster.domain}\"."
  }
}

variable "kubeconfig" {
  description = "Kubeconfig file and context to reach the cluster (default context: the file's current one)."
  type = object({
    path    = string
    context = optional(string)
  })
}

variable "network" {
  description = "The LAN: subnet, node addresses by host name, MetalLB's range and the fixed addresses of Traefik and AdGuard DNS."
  type = object({
    subnet        = string
    nodes         = map(string)
    metallb_range = string
    traefik_ip    = string
    adguard_ip    = string
  })

  validation {
    condition     = can(cidrnetmask(var.network.subnet)) && try(cidrsubnet(var.network.subnet, 0, 0) == var.network.subnet, false)
    error_message = "network.subnet ${var.network.subnet} is not a network in CIDR form (a.b.c.d/n with no host bits set)."
  }

  validation {
    condition = (
      length(split("-", var.network.metallb_range)) == 2 &&
      alltrue([
        for ip in concat(values(var.network.nodes), [var.network.traefik_ip, var.network.adguard_ip], split("-", var.network.metallb_range)) :
        can(cidrnetmask("${trimspace(ip)}/32"))
      ])
    )
    error_message = "network: every node address, service address and both ends of metallb_range (start-end) must be IPv4 addresses."
  }

  validation {
    condition = try(alltrue([
      for ip in concat(values(var.network.nodes), [var.network.traefik_ip, var.network.adguard_ip], split("-", var.network.metallb_range)) :
      sum([for i, o in split(".", trimspace(ip)) : tonumber(o) * pow(256, 3 - i)]) > sum([for i, o in split(".", cidrhost(var.network.subnet, 0)) : tonumber(o) * pow(256, 3 - i)]) &&
      sum([for i, o in split(".", trimspace(ip)) : tonumber(o) * pow(256, 3 - i)]) < sum([for i, o in split(".", cidrhost(var.network.subnet, -1)) : tonumber(o) * pow(256, 3 - i)])
    ]), true)
    error_message = "network: every node address, service address and the whole metallb_range must be host addresses inside the subnet ${var.network.subnet}."
  }

  validation {
    condition = try(
      sum([for i, o in split(".", trimspace(split("-", var.network.metallb_range)[0])) : tonumber(o) * pow(256, 3 - i)]) <=
      sum([for i, o in split(".", trimspace(split("-", var.network.metallb_range)[1])) : tonumber(o) * pow(256, 3 - i)]),
    true)
    error_message = "network.metallb_range ${var.network.metallb_range} ends before it starts."
  }

  validation {
    condition = try(alltrue([
      for ip in values(var.network.nodes) :
      sum([for i, o in split(".", ip) : tonumber(o) * pow(256, 3 - i)]) < sum([for i, o in split(".", trimspace(split("-", var.network.metallb_range)[0])) : tonumber(o) * pow(256, 3 - i)]) ||
      sum([for i, o in split(".", ip) : tonumber(o) * pow(256, 3 - i)]) > sum([for i, o in split(".", trimspace(split("-", var.network.metallb_range)[1])) : tonumber(o) * pow(256, 3 - i)])
    ]), true)
    error_message = "network.metallb_range ${var.network.metallb_range} overlaps node addresses (${join(", ", [for name, ip in var.network.nodes : "${name}=${ip}"])}): MetalLB would hand a node's address to a service."
  }

  validation {
    condition = try(var.network.traefik_ip != var.network.adguard_ip && alltrue([
      for ip in [var.network.traefik_ip, var.network.adguard_ip] :
      sum([for i, o in split(".", ip) : tonumber(o) * pow(256, 3 - i)]) >= sum([for i, o in split(".", trimspace(split("-", var.network.metallb_range)[0])) : tonumber(o) * pow(256, 3 - i)]) &&
      sum([for i, o in split(".", ip) : tonumber(o) * pow(256, 3 - i)]) <= sum([for i, o in split(".", trimspace(split("-", var.network.metallb_range)[1])) : tonumber(o) * pow(256, 3 - i)])
    ]), true)
    error_message = "network.traefik_ip (${var.network.traefik_ip}) and network.adguard_ip (${var.network.adguard_ip}) must be two different addresses inside metallb_range ${var.network.metallb_range}."
  }
}

variable "pod_cidr" {
  description = "Pod network (kubernetes.podCidr), the same one kubeadm was given."
  type        = string
  default     = "10.244.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.pod_cidr)) && try(cidrsubnet(var.pod_cidr, 0, 0) == var.pod_cidr, false)
    error_message = "pod_cidr ${var.pod_cidr} is not a network in CIDR form (a.b.c.d/n with no host bits set)."
  }
}

variable "nfs" {
  description = "NFS server and exports: AdGuard data under path, etcd snapshots in backup_path. server may be null when neither add-on is on."
  type = object({
    server      = optional(string)
    path        = string
    backup_path = string
  })

  validation {
    condition     = startswith(var.nfs.path, "/") && startswith(var.nfs.backup_path, "/")
    error_message = "nfs.path and nfs.backup_path must be absolute paths on the NFS server."
  }
}

variable "addons" {
  description = "Which add-ons to deploy (addons.* in pi-cluster.yaml)."
  type = object({
    flannel     = optional(bool, true)
    metallb     = optional(bool, true)
    traefik     = optional(bool, true)
    adguard     = optional(bool, true)
    monitoring  = optional(bool, true)
    dashboard   = optional(bool, true)
    etcd_backup = optional(bool, true)
  })
  default = {}

  validation {
    condition     = !(var.addons.traefik || var.addons.adguard) || var.addons.metallb
    error_message = "Traefik and AdGuard need LAN addresses from MetalLB: turn addons.metallb on, or turn them off."
  }

  validation {
    condition     = !(var.addons.monitoring || var.addons.dashboard || var.addons.adguard) || var.addons.traefik
    error_message = "Grafana, Headlamp (addons.dashboard) and AdGuard's web UI are reached through Traefik: turn addons.traefik on, or turn them off."
  }
}

variable "flannel" {
  description = "flannel settings: backend (host-gw) and the CNI bin folder on the nodes (/opt/cni/bin, as the node layer sets it)."
  type = object({
    backend     = optional(string, "host-gw")
    cni_bin_dir = optional(string, "/opt/cni/bin")
  })
  default = {}
}

variable "etcd_backup" {
  description = "etcd snapshot schedule (cron), optional time zone, and how many snapshots to keep."
  type = object({
    schedule  = optional(string, "0 3 * * *")
    time_zone = optional(string, "")
    keep      = optional(number, 7)
  })
  default = {}
}

variable "etcd_backup_public_key" {
  description = "Path of the public half of the project's etcd backup key (.pi-cluster/etcd-backup.pub, made by `pi-cluster addons tfvars`); the nightly backups are sealed for it."
  type        = string
  default     = null

  validation {
    condition     = var.etcd_backup_public_key != null || !var.addons.etcd_backup
    error_message = "etcd_backup_public_key is not set: run `pi-cluster addons tfvars` (`make apply` does), it makes the backup key and names it here."
  }
}

variable "dashboard" {
  description = "Kubernetes web UI (Headlamp) settings: login_role of its login token, view (read-only, default) or cluster-admin."
  type = object({
    login_role = optional(string, "view")
  })
  default = {}
}

variable "secrets_dir" {
  description = "Folder (relative to terraform/) with the generated passwords, one file each, mode 0600."
  type        = string
  default     = "secrets"
}

variable "traefik_dashboard_password" {
  description = "Traefik dashboard password; default: the file traefik-dashboard-password in secrets_dir. Set with TF_VAR_traefik_dashboard_password, never on the command line."
  type        = string
  default     = null
  sensitive   = true
}

variable "grafana_admin_password" {
  description = "Grafana admin password; default: the file grafana-admin-password in secrets_dir. Set with TF_VAR_grafana_admin_password, never on the command line."
  type        = string
  default     = null
  sensitive   = true
}

variable "registry_credentials" {
  description = "Optional container registry login, e.g. Docker Hub against its anonymous pull limit: { server = \"docker.io\", username, password }. AdGuard's and the etcd backup's namespaces then get a kubernetes.io/dockerconfigjson Secret their pods pull with. Set only with TF_VAR_registry_credentials (JSON), never on the command line or in a file."
  type = object({
    server   = string
    username = string
    password = string
  })
  default   = null
  sensitive = true

  validation {
    # Terraform prints the value of every attribute a failed condition names: the login is only looked at
    # through the loop, so a failed check shows the server and nothing else.
    condition = var.registry_credentials == null || try(
      alltrue([for field, value in var.registry_credentials : trimspace(value) != ""]) &&
      can(regex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?$", var.registry_credentials.server)),
    false)
    error_message = "registry_credentials (TF_VAR_registry_credentials) needs server (a host name such as docker.io or registry.example:5000, without https://), username and password."
  }
}
