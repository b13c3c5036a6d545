locals {
  istio_mode = "ambient"
  charts     = "https://istio-release.storage.googleapis.com/charts"
}

resource "helm_release" "istiod" {
  name       = "istiod"
  repository = local.charts
  chart      = "istiod"
  namespace  = "istio-system"

  set {
    name  = "profile"
    value = "ambient"
  }
}

resource "helm_release" "gateway" {
  name       = "istio-ingress"
  repository = local.charts
  chart      = "gateway"
  namespace  = "istio-ingress"
  set = [{ name = "profile", value = "ambient" }, { name = "replicaCount", value = "2" }]
}

resource "terraform_data" "label_default" {
  provisioner "local-exec" {
    command = "kubectl label namespace default istio.io/dataplane-mode=ambient --overwrite"
  }
}

resource "helm_release" "log_shipper" {
  name  = "log-shipper"
  chart = "fluent-bit" # runs as a sidecar container next to each app
}
