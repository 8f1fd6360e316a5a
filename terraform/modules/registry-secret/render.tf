# Everything this module computes, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/terraform-eval.test.ts).
locals {
  # kubelet looks Docker Hub images up under Docker's own key, whichever of its names the user gave.
  server = contains(["docker.io", "index.docker.io", "registry-1.docker.io"], var.credentials.server) ? "https://index.docker.io/v1/" : var.credentials.server

  dockerconfigjson = jsonencode({
    auths = {
      (local.server) = {
        username = var.credentials.username
        password = var.credentials.password
        auth     = base64encode("${var.credentials.username}:${var.credentials.password}")
      }
    }
  })
}
