terraform {
  # 1.9: validation rules that compare several fields of one variable and interpolate them in messages.
  required_version = ">= 1.9.0"

  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "2.38.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "3.1.2"
    }
  }
}
