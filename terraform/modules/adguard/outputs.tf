output "dns_ip" {
  description = "LAN address of the DNS server (TCP and UDP 53): give it to your router's DHCP as the DNS server."
  value       = var.dns_ip
}

output "url" {
  description = "AdGuard Home web UI (first visit: the setup wizard; keep the admin interface on port 3000)."
  value       = "https://${var.host}/"
}

output "data_location" {
  description = "Where AdGuard keeps its configuration and data."
  value       = "${var.nfs.server}:${trimsuffix(var.nfs.path, "/")}/adguard/{conf,work}"
}
