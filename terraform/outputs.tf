output "urls" {
  description = "Web pages of the add-ons (names under cluster.domain; point them at lan_addresses.ingress)."
  value = { for name, url in {
    traefik_dashboard = one(module.traefik[*].dashboard_url)
    grafana           = one(module.monitoring[*].grafana_url)
    adguard           = one(module.adguard[*].url)
    headlamp          = one(module.headlamp[*].url)
  } : name => url if url != null }
}

output "lan_addresses" {
  description = "Fixed LAN addresses: the ingress (HTTP/HTTPS), the DNS server (TCP/UDP 53) and MetalLB's range."
  value = { for name, address in {
    ingress       = var.addons.traefik ? var.network.traefik_ip : null
    dns           = var.addons.adguard ? var.network.adguard_ip : null
    metallb_range = var.addons.metallb ? var.network.metallb_range : null
  } : name => address if address != null }
}

output "dns_names" {
  description = "Host names to resolve to the ingress address, e.g. with one AdGuard DNS rewrite *.<domain> -> ingress."
  value       = var.addons.traefik ? { for name in values(local.hosts) : name => var.network.traefik_ip } : {}
}

output "services" {
  description = "Every service and where to reach it (`make show`)."
  value = merge(
    var.addons.traefik ? { "traefik (ingress)" = "${var.network.traefik_ip}:80,443", "traefik dashboard" = "https://${local.hosts.traefik}/dashboard/" } : {},
    var.addons.adguard ? { "adguard dns" = "${var.network.adguard_ip}:53 (tcp, udp)", "adguard web" = "https://${local.hosts.adguard}/" } : {},
    var.addons.monitoring ? { "grafana" = "https://${local.hosts.grafana}/" } : {},
    var.addons.dashboard ? { "headlamp (kubernetes web ui)" = "https://${local.hosts.headlamp}/" } : {},
    var.addons.etcd_backup ? { "etcd backups" = "${local.nfs_server}:${var.nfs.backup_path}" } : {},
  )
}

output "logins" {
  description = "Who logs in where, and where each password is (never the password itself)."
  value = merge(
    var.addons.traefik ? { traefik_dashboard = "user admin, password in ${nonsensitive(var.traefik_dashboard_password != null) ? "TF_VAR_traefik_dashboard_password" : "${local.secrets_dir}/traefik-dashboard-password"}" } : {},
    var.addons.monitoring ? { grafana = "user admin, password in ${nonsensitive(var.grafana_admin_password != null) ? "TF_VAR_grafana_admin_password" : "${local.secrets_dir}/grafana-admin-password"}" } : {},
    var.addons.dashboard ? { headlamp = "token (${var.dashboard.login_role}): terraform -chdir=terraform output -raw headlamp_token" } : {},
    var.addons.adguard ? { adguard = "account created in AdGuard's setup wizard on the first visit" } : {},
    # Only the server is shown: the login stays in TF_VAR_registry_credentials.
    nonsensitive(var.registry_credentials != null) && (var.addons.adguard || var.addons.etcd_backup) ? {
      registry = "image pulls of ${join(" and ", compact([var.addons.adguard ? "adguard" : "", var.addons.etcd_backup ? "etcd backups" : ""]))} log in to ${nonsensitive(var.registry_credentials.server)} (TF_VAR_registry_credentials)"
    } : {},
  )
}

output "headlamp_token" {
  description = "Login token for Headlamp, the Kubernetes web UI (read-only unless dashboard.login_role is cluster-admin)."
  value       = one(module.headlamp[*].token)
  sensitive   = true
}

output "pod_network" {
  description = "Pod network and flannel backend."
  value       = var.addons.flannel ? { cidr = var.pod_cidr, backend = var.flannel.backend } : null
}

output "etcd_backups" {
  description = "Where and when etcd is snapshotted, how many are kept, and how to back up or restore by hand."
  value = var.addons.etcd_backup ? {
    location = one(module.etcd_backup[*].location)
    schedule = one(module.etcd_backup[*].schedule)
    keep     = one(module.etcd_backup[*].keep)
    run_now  = one(module.etcd_backup[*].run_now)
    snapshot = "pi-cluster etcd snapshot"
    restore  = "pi-cluster etcd restore SNAPSHOT"
  } : null
}
