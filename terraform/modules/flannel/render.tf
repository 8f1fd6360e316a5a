# Everything this module renders, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/manifests.test.ts, terraform-eval.test.ts).
locals {
  chart_values = {
    podCidr = var.pod_cidr
    flannel = {
      backend   = var.backend
      cniBinDir = var.cni_bin_dir
    }
  }
}
