# The home lab's add-ons, in dependency order: pod network, LAN addresses, ingress, then what sits behind it.
# Each one is switched by addons.<name> in pi-cluster.yaml.

locals {
  domain      = var.cluster.domain
  secrets_dir = startswith(var.secrets_dir, "/") ? var.secrets_dir : "${path.root}/${var.secrets_dir}"
  nfs_server  = var.nfs.server == null ? "" : var.nfs.server

  hosts = {
    traefik  = "traefik.${local.domain}"
    grafana  = "grafana.${local.domain}"
    adguard  = "adguard.${local.domain}"
    headlamp = "headlamp.${local.domain}"
  }

  # A password from TF_VAR_<name> wins; otherwise the file `pi-cluster addons tfvars` generated (mode 0600).
  traefik_dashboard_password = var.traefik_dashboard_password != null ? var.traefik_dashboard_password : sensitive(try(trimspace(file("${local.secrets_dir}/traefik-dashboard-password")), ""))
  grafana_admin_password     = var.grafana_admin_password != null ? var.grafana_admin_password : sensitive(try(trimspace(file("${local.secrets_dir}/grafana-admin-password")), ""))
}

module "flannel" {
  source = "./modules/flannel"
  count  = var.addons.flannel ? 1 : 0

  pod_cidr    = var.pod_cidr
  backend     = var.flannel.backend
  cni_bin_dir = var.flannel.cni_bin_dir
}

module "metallb" {
  source = "./modules/metallb"
  count  = var.addons.metallb ? 1 : 0

  address_range = var.network.metallb_range
  reserved_addresses = concat(
    var.addons.traefik ? [var.network.traefik_ip] : [],
    var.addons.adguard ? [var.network.adguard_ip] : [],
  )
  depends_on = [module.flannel]
}

module "traefik" {
  source = "./modules/traefik"
  count  = var.addons.traefik ? 1 : 0

  load_balancer_ip   = var.network.traefik_ip
  dashboard_host     = local.hosts.traefik
  dashboard_password = local.traefik_dashboard_password
  depends_on         = [module.metallb]
}

module "adguard" {
  source = "./modules/adguard"
  count  = var.addons.adguard ? 1 : 0

  dns_ip               = var.network.adguard_ip
  host                 = local.hosts.adguard
  nfs                  = { server = local.nfs_server, path = var.nfs.path }
  registry_credentials = var.registry_credentials
  depends_on           = [module.metallb, module.traefik]
}

module "monitoring" {
  source = "./modules/monitoring"
  count  = var.addons.monitoring ? 1 : 0

  grafana_host           = local.hosts.grafana
  grafana_admin_password = local.grafana_admin_password
  depends_on             = [module.traefik]
}

# The Kubernetes web UI (addons.dashboard): Headlamp, since the kubernetes/dashboard project was archived.
module "headlamp" {
  source = "./modules/headlamp"
  count  = var.addons.dashboard ? 1 : 0

  host       = local.hosts.headlamp
  login_role = var.dashboard.login_role
  depends_on = [module.traefik]
}

module "etcd_backup" {
  source = "./modules/etcd-backup"
  count  = var.addons.etcd_backup ? 1 : 0

  nfs                  = { server = local.nfs_server, path = var.nfs.backup_path }
  schedule             = var.etcd_backup.schedule
  time_zone            = var.etcd_backup.time_zone
  keep                 = var.etcd_backup.keep
  public_key           = file(var.etcd_backup_public_key)
  registry_credentials = var.registry_credentials
  depends_on           = [module.flannel]
}
