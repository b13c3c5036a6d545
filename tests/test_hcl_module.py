"""remove-service over a Terraform module (a folder of .tf files read as one): blocks made for
the component under generic labels, the references other files of the module make to them,
files left with nothing but the component's blocks, and blocks that must stay because code
that stays still refers to them. Trees compared byte for byte; a second run changes nothing."""

from __future__ import annotations

from gitops_bot.cli import main

from .conftest import tree_bytes

BEFORE = {
    "infra/addons/main.tf": (
        'module "cert_manager" {\n  source = "./cert-manager"\n}\n\n'
        'module "video_collector" {\n  count  = var.enable_video ? 1 : 0\n  source = "./video-service"\n}\n'),
    "infra/addons/video-service/main.tf": 'resource "helm_release" "this" {\n  name = "collector"\n}\n',
    # names no form of the component, but reads the module made for it
    "infra/addons/locals.tf": (
        'locals {\n  addons = {\n'
        '    certManager = var.enable_cert_manager ? module.cert_manager[0].config : null\n'
        '    collector   = var.enable_video ? module.video_collector[0].config : null\n  }\n}\n'),
    "infra/account/ecr.tf": (
        '# ECR repository for the video-service images\nmodule "ecr" {\n'
        '  source    = "./modules/ecr"\n  repo_name = "platform-video-service-images"\n'
        '  namespace = var.namespace\n}\n\n'
        'module "ecr_web" {\n  source    = "./modules/ecr"\n  repo_name = "platform-web"\n}\n'),
    "infra/account/variables.tf": (
        'variable "team" {\n  default = "webops"\n}\n\n'
        'variable "namespace" {\n  default = "video-service"\n}\n'),
    "infra/edge/ingress-video.tf": (
        '##########################\n# video ingress (modsec) #\n##########################\n\n'
        'module "video_service_ingress" {\n  source = "x"\n}\n'),
    "infra/edge/outputs.tf": (
        'output "web" {\n  value = module.web.arn\n}\n\n'
        'output "video_irsa" {\n  value = length(module.video_service_ingress) > 0 ? '
        'module.video_service_ingress[0].arn : null\n}\n'),
    # the zone is the component's by its label, but a record that stays still reads it
    "infra/edge/route53.tf": (
        'resource "aws_route53_zone" "video_service_zone" {\n  count = 1\n  name  = "video.example.com"\n}\n\n'
        'resource "aws_route53_record" "parent_ns" {\n  count = 1\n'
        '  name  = aws_route53_zone.video_service_zone[count.index].name\n}\n'),
}

AFTER = {
    "infra/addons/main.tf": 'module "cert_manager" {\n  source = "./cert-manager"\n}\n',
    "infra/addons/locals.tf": (
        'locals {\n  addons = {\n'
        '    certManager = var.enable_cert_manager ? module.cert_manager[0].config : null\n  }\n}\n'),
    "infra/account/ecr.tf": 'module "ecr_web" {\n  source    = "./modules/ecr"\n  repo_name = "platform-web"\n}\n',
    "infra/account/variables.tf": 'variable "team" {\n  default = "webops"\n}\n',
    "infra/edge/outputs.tf": 'output "web" {\n  value = module.web.arn\n}\n',
    "infra/edge/route53.tf": BEFORE["infra/edge/route53.tf"],
}


def test_remove_service_over_terraform_modules(tmp_path, capsys):
    for path, text in BEFORE.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    # exit 1: the zone was refused (a human must finish), the rest is applied
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "aws_route53_zone.video_service_zone is still referenced at infra/edge/route53.tf:8" in out
    files = {p: data.decode() for p, data in tree_bytes(tmp_path).items()}
    assert files == AFTER
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 1
    assert {p: data.decode() for p, data in tree_bytes(tmp_path).items()} == AFTER


INPUTS_BEFORE = {
    "infra/modules/addons/main.tf": (
        'module "cert_manager" {\n  count  = var.enable_cert_manager ? 1 : 0\n  source = "./cert-manager"\n'
        '  tags   = var.tags\n}\n\n'
        'module "tracing" {\n  count     = var.enable_tracing_agent ? 1 : 0\n  source    = "./trace-agent"\n'
        '  config    = var.tracing_agent_config\n  node_role = var.node_role_arn\n  tags      = var.tags\n}\n'),
    "infra/modules/addons/trace-agent/main.tf": 'resource "helm_release" "this" {\n  name = "agent"\n}\n',
    "infra/modules/addons/variables.tf": (
        'variable "node_role_arn" {\n  type    = string\n  default = ""\n}\n\n'
        'variable "tags" {\n  type    = map(string)\n  default = {}\n}\n\n'
        'variable "enable_cert_manager" {\n  type    = bool\n  default = false\n}\n'
        '#-----------TRACING-------------\n'
        'variable "enable_tracing_agent" {\n  type    = bool\n  default = false\n}\n\n'
        'variable "tracing_agent_config" {\n  type    = any\n  default = {}\n}\n\n'
        '#-----------ARGOCD-------------\n'
        'variable "enable_argocd" {\n  type    = bool\n  default = false\n}\n'),
    # a caller that names no form of the component: it passes the inputs only it read
    "infra/envs/prod/main.tf": (
        'module "addons" {\n  source = "../../modules/addons"\n\n'
        '  node_role_arn = "arn:aws:iam::1:role/node"\n'
        '  #---------------------------------------\n  # CERT MANAGER\n  #---------------------------------------\n'
        '  enable_cert_manager = true\n'
        '  #---------------------------------------\n  # TRACING\n  #---------------------------------------\n'
        '  enable_tracing_agent = true\n  tracing_agent_config = {\n    sample_rate = 5\n  }\n'
        '  #---------------------------------------\n  # ARGOCD\n  #---------------------------------------\n'
        '  enable_argocd = true\n}\n'),
}

INPUTS_AFTER = {
    "infra/modules/addons/main.tf": (
        'module "cert_manager" {\n  count  = var.enable_cert_manager ? 1 : 0\n  source = "./cert-manager"\n'
        '  tags   = var.tags\n}\n'),
    # node_role_arn was read only by the removed module too, but it is a general input: it stays
    "infra/modules/addons/variables.tf": (
        'variable "node_role_arn" {\n  type    = string\n  default = ""\n}\n\n'
        'variable "tags" {\n  type    = map(string)\n  default = {}\n}\n\n'
        'variable "enable_cert_manager" {\n  type    = bool\n  default = false\n}\n\n'
        '#-----------ARGOCD-------------\n'
        'variable "enable_argocd" {\n  type    = bool\n  default = false\n}\n'),
    "infra/envs/prod/main.tf": (
        'module "addons" {\n  source = "../../modules/addons"\n\n'
        '  node_role_arn = "arn:aws:iam::1:role/node"\n'
        '  #---------------------------------------\n  # CERT MANAGER\n  #---------------------------------------\n'
        '  enable_cert_manager = true\n'
        '  #---------------------------------------\n  # ARGOCD\n  #---------------------------------------\n'
        '  enable_argocd = true\n}\n'),
}


def test_inputs_only_the_component_read_leave_the_module_and_its_callers(tmp_path):
    for path, text in INPUTS_BEFORE.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    assert main(["apply", "remove-service", "service=trace-agent", "--repo", str(tmp_path)]) == 0
    assert {p: data.decode() for p, data in tree_bytes(tmp_path).items()} == INPUTS_AFTER
    assert main(["apply", "remove-service", "service=trace-agent", "--repo", str(tmp_path)]) == 0
    assert {p: data.decode() for p, data in tree_bytes(tmp_path).items()} == INPUTS_AFTER
