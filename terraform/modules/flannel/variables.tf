variable "namespace" {
  description = "Namespace flannel runs in."
  type        = string
  default     = "kube-flannel"
}

variable "chart_version" {
  description = "Version of the flannel Helm chart (https://flannel-io.github.io/flannel/). Default: the pin in terraform/pins.yaml (charts.flannel)."
  type        = string
  default     = null
}

variable "pod_cidr" {
  description = "Pod network; must match kubeadm's --pod-network-cidr (kubernetes.podCidr in pi-cluster.yaml)."
  type        = string
  default     = "10.244.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.pod_cidr)) && try(cidrsubnet(var.pod_cidr, 0, 0) == var.pod_cidr, false)
    error_message = "pod_cidr must be a network in CIDR form with no host bits set, e.g. 10.244.0.0/16."
  }
}

variable "backend" {
  description = "flannel backend; host-gw routes pod traffic directly between nodes on one layer-2 segment (no encapsulation)."
  type        = string
  default     = "host-gw"

  validation {
    condition     = contains(["host-gw", "vxlan", "wireguard"], var.backend)
    error_message = "backend must be host-gw, vxlan or wireguard."
  }
}

variable "cni_bin_dir" {
  description = "Folder on the nodes where flannel installs its CNI plugin; the node layer points containerd's CNI bin_dir here."
  type        = string
  default     = "/opt/cni/bin"

  validation {
    condition     = startswith(var.cni_bin_dir, "/")
    error_message = "cni_bin_dir must be an absolute path on the nodes."
  }
}
