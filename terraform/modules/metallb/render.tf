# Everything this module renders, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/manifests.test.ts, terraform-eval.test.ts).
locals {
  # The chart pinned in terraform/pins.yaml; var.chart_version overrides its version.
  chart = merge(yamldecode(file("${path.module}/../../pins.yaml")).charts["metallb"], var.chart_version == null ? {} : { version = var.chart_version })

  # Addresses as numbers, so the range can be cut around the reserved ones.
  range_ends = [for ip in split("-", var.address_range) : sum([for i, octet in split(".", trimspace(ip)) : tonumber(octet) * pow(256, 3 - i)])]
  reserved_in_range = [
    for n in distinct([for ip in var.reserved_addresses : sum([for i, octet in split(".", ip) : tonumber(octet) * pow(256, 3 - i)])]) :
    n if n >= local.range_ends[0] && n <= local.range_ends[1]
  ]
  # sort() orders strings, so pad the numbers to sort them numerically.
  reserved_sorted = [for s in sort([for n in local.reserved_in_range : format("%010d", n)]) : tonumber(s)]
  cut_points      = concat([local.range_ends[0] - 1], local.reserved_sorted, [local.range_ends[1] + 1])
  free_segments = [
    for i in range(length(local.cut_points) - 1) : [local.cut_points[i] + 1, local.cut_points[i + 1] - 1]
    if local.cut_points[i + 1] - local.cut_points[i] > 1
  ]
  free_ranges = [
    for seg in local.free_segments : seg[0] == seg[1]
    ? "${join(".", [for s in [24, 16, 8, 0] : floor(seg[0] / pow(2, s)) % 256])}/32"
    : "${join(".", [for s in [24, 16, 8, 0] : floor(seg[0] / pow(2, s)) % 256])}-${join(".", [for s in [24, 16, 8, 0] : floor(seg[1] / pow(2, s)) % 256])}"
  ]
  reserved_cidrs = [for n in local.reserved_sorted : "${join(".", [for s in [24, 16, 8, 0] : floor(n / pow(2, s)) % 256])}/32"]

  pools = concat(
    length(local.free_ranges) > 0 ? [{ name = "default", addresses = local.free_ranges, auto_assign = true }] : [],
    length(local.reserved_cidrs) > 0 ? [{ name = "fixed", addresses = local.reserved_cidrs, auto_assign = false }] : [],
  )

  manifests = concat(
    [for pool in local.pools : yamldecode(templatefile("${path.module}/manifests/ipaddresspool.yaml.tftpl", {
      name        = pool.name
      namespace   = var.namespace
      addresses   = pool.addresses
      auto_assign = pool.auto_assign
    }))],
    [yamldecode(templatefile("${path.module}/manifests/l2advertisement.yaml.tftpl", {
      name      = "lan"
      namespace = var.namespace
      pools     = [for pool in local.pools : pool.name]
    }))],
  )
}
