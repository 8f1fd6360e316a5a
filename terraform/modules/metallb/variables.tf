variable "namespace" {
  description = "Namespace MetalLB runs in; its IPAddressPools and L2Advertisement live here too."
  type        = string
  default     = "metallb-system"
}

variable "chart_version" {
  description = "Version of the MetalLB Helm chart (https://metallb.github.io/metallb). Default: the pin in terraform/pins.yaml (charts.metallb)."
  type        = string
  default     = null
}

variable "address_range" {
  description = "LAN addresses MetalLB may hand to LoadBalancer services, as start-end (e.g. 192.168.1.200-192.168.1.250)."
  type        = string

  validation {
    condition = (
      length(split("-", var.address_range)) == 2 &&
      alltrue([for ip in split("-", var.address_range) : can(cidrnetmask("${trimspace(ip)}/32"))])
    )
    error_message = "address_range must be two IPv4 addresses joined by a dash, e.g. 192.168.1.200-192.168.1.250."
  }
}

variable "reserved_addresses" {
  description = "Addresses of the range kept for services that ask for a fixed one (Traefik, AdGuard DNS): they go into a pool that MetalLB never assigns on its own."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for ip in var.reserved_addresses : can(cidrnetmask("${ip}/32"))])
    error_message = "reserved_addresses must be IPv4 addresses."
  }
}
