# Everything this module computes, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/terraform-eval.test.ts).
locals {
  # Sorted, typed as strings (a password like 0123 or true stays text), null when there are none.
  set_sensitive = length(var.set_sensitive) == 0 ? null : [
    for name in sort(keys(var.set_sensitive)) : { name = name, value = var.set_sensitive[name], type = "string" }
  ]

  # Helm may wait `timeout` seconds for the install and as long again for the atomic uninstall or rollback;
  # the provider's own default deadline (20 minutes) would cut a slow Pi install short.
  operation_minutes = ceil(2 * var.timeout / 60) + 5
  timeouts = {
    create = "${local.operation_minutes}m"
    update = "${local.operation_minutes}m"
    delete = "${ceil(var.timeout / 60) + 5}m"
  }
}
