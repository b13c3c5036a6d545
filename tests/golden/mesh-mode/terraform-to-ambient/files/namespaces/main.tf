# Namespaces of the platform; every application namespace joins the mesh.
resource "kubernetes_namespace" "shop" {
  metadata {
    name = "shop"
    labels = {
      "istio.io/dataplane-mode"      = "ambient"
      "app.kubernetes.io/managed-by" = "terraform"
    }
  }
}

resource "kubernetes_namespace_v1" "payments" {
  metadata {
    name   = "payments"
    labels = { "istio.io/dataplane-mode" = "ambient", team = "payments" } # PCI scope
  }
}

resource "kubernetes_labels" "ingress" {
  api_version = "v1"
  kind        = "Namespace"
  metadata {
    name = "ingress"
  }
  labels = {
    "istio.io/dataplane-mode" : "ambient"
  }
}

# The twins below exist one at a time: the mode variable picks one.
resource "kubernetes_namespace" "reports_sidecar" {
  count = var.mesh_mode == "sidecar" ? 1 : 0
  metadata {
    name = "reports"
    labels = {
      "istio-injection" = "enabled"
    }
  }
}

resource "kubernetes_namespace" "legacy" {
  metadata {
    name = "legacy"
    labels = {
      # "istio-injection" = "enabled"
      "istio-injection" = "disabled"
    }
  }
}

/*
resource "kubernetes_namespace" "old" {
  metadata {
    labels = { "istio-injection" = "enabled" }
  }
}
*/

variable "mesh_mode" {
  type    = string
  default = "ambient" # the data-plane mode of new namespaces
}
