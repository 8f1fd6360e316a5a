# Everything this module renders, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/manifests.test.ts, terraform-eval.test.ts).
locals {
  # The chart pinned in terraform/pins.yaml; var.chart_version overrides its version.
  chart = merge(yamldecode(file("${path.module}/../../pins.yaml")).charts["flannel"], var.chart_version == null ? {} : { version = var.chart_version })

  chart_values = {
    podCidr = var.pod_cidr
    flannel = {
      backend   = var.backend
      cniBinDir = var.cni_bin_dir
    }
  }
}
