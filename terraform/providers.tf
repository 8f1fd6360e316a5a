# The kubeconfig and context that `pi-cluster bootstrap` wrote; `pi-cluster addons tfvars` finds them and
# records them in cluster.auto.tfvars.json.
provider "kubernetes" {
  config_path    = var.kubeconfig.path
  config_context = var.kubeconfig.context
}

provider "helm" {
  kubernetes = {
    config_path    = var.kubeconfig.path
    config_context = var.kubeconfig.context
  }
}
