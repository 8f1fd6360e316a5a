output "address_range" {
  description = "LAN addresses MetalLB hands out."
  value       = var.address_range
}

output "pools" {
  description = "IPAddressPools by name with their addresses (the fixed pool is only used on request)."
  value       = { for pool in local.pools : pool.name => pool.addresses }
}

output "fixed_address_annotation" {
  description = "Service annotation that asks MetalLB for a given address."
  value       = "metallb.io/loadBalancerIPs"
}
