"""Setting one value in YAML and Terraform: before/after pairs byte for byte, no-ops, refusals."""

from __future__ import annotations

import pytest

from gitops_bot.edit import hcl_scalar, yaml_scalar

from .editors import dedent

VALUES = dedent("""
    # prod overrides
    replicaCount: 3
    image:
      repository: ghcr.io/acme/api
      tag: "1.2"   # pinned
    autoscaling:
      enabled: true
      minReplicas: 3

      maxReplicas: 10
    # trailing comment
    """)

YAML_PAIRS = [
    ("autoscaling.minReplicas", "2", "  minReplicas: 3\n", "  minReplicas: 2\n"),
    ("image.tag", "1.3", '  tag: "1.2"   # pinned\n', '  tag: "1.3"   # pinned\n'),
    ("autoscaling.enabled", "false", "  enabled: true\n", "  enabled: false\n"),
    ("replicaCount", "auto", "replicaCount: 3\n", "replicaCount: auto\n"),
    ("image.repository", "1.5", "  repository: ghcr.io/acme/api\n", '  repository: "1.5"\n'),  # a string stays one
    ("image.pullPolicy", "IfNotPresent", '  tag: "1.2"   # pinned\n',
     '  tag: "1.2"   # pinned\n  pullPolicy: IfNotPresent\n'),
    ("autoscaling.targetCPU", "80", "  maxReplicas: 10\n", "  maxReplicas: 10\n  targetCPU: 80\n"),
    ("podLabels.team", "platform", "  maxReplicas: 10\n", "  maxReplicas: 10\npodLabels:\n  team: platform\n"),
]


@pytest.mark.parametrize("key, value, old, new", YAML_PAIRS, ids=[p[0] + "=" + p[1] for p in YAML_PAIRS])
def test_yaml_pairs(key, value, old, new):
    assert VALUES.count(old) == 1
    assert yaml_scalar.set_scalar(VALUES, key, value) == VALUES.replace(old, new)


def test_yaml_indent_step_and_crlf_are_the_files():
    text = "a:\r\n    b: 1\r\n"
    assert yaml_scalar.set_scalar(text, "c.d.e", "x") == "a:\r\n    b: 1\r\nc:\r\n    d:\r\n        e: x\r\n"


def test_yaml_an_equal_value_is_a_no_op():
    assert yaml_scalar.set_scalar(VALUES, "autoscaling.minReplicas", "3") is VALUES


@pytest.mark.parametrize("text, key, reason", [
    (VALUES, "image", "holds a map"),
    (VALUES, "replicaCount.x", "is not a map"),
    ("a: |\n  text\n", "a", "block scalar"),
    ("a: &x 1\nb: *x\n", "b", "alias"),
    ("{{- if .Values.x }}\na: 1\n{{- end }}\n", "a", "template"),
    ("a: {{ .Values.b }}\n", "a", "template"),
    ("a: 1\n---\nb: 2\n", "a", "several YAML documents"),
    ("a: {b: 1}\n", "a.c", "inline"),
])
def test_yaml_refusals(text, key, reason):
    with pytest.raises(yaml_scalar.SetRefused, match=reason):
        yaml_scalar.set_scalar(text, key, "2")


TERRAFORM = dedent('''
    variable "spot_min_size" {
      description = "Minimum spot nodes"
      type        = number
      default     = 3 # was 2
    }

    module "eks" {
      source          = "terraform-aws-modules/eks/aws"
      cluster_version = "1.29"
      name            = "${var.env}-eks"
      tags            = local.tags
    }

    locals {
      region = "eu-west-1"
    }
    ''')

HCL_PAIRS = [
    ("variable.spot_min_size.default", "2", "default     = 3 # was 2", "default     = 2 # was 2"),
    ("module.eks.cluster_version", "1.30", 'cluster_version = "1.29"', 'cluster_version = "1.30"'),
    ("locals.region", "eu-central-1", 'region = "eu-west-1"', 'region = "eu-central-1"'),
    ("variable.spot_min_size.default", "auto", "default     = 3 # was 2", 'default     = "auto" # was 2'),
]


@pytest.mark.parametrize("key, value, old, new", HCL_PAIRS, ids=[p[0] + "=" + p[1] for p in HCL_PAIRS])
def test_terraform_pairs(key, value, old, new):
    assert hcl_scalar.set_attribute(TERRAFORM, key, value) == TERRAFORM.replace(old, new)


def test_tfvars_by_variable_name():
    assert hcl_scalar.set_attribute('spot_min_size = 3\nenv = "prod"\n', "spot_min_size", "2", tfvars=True) \
        == 'spot_min_size = 2\nenv = "prod"\n'


def test_terraform_an_equal_value_is_a_no_op():
    assert hcl_scalar.set_attribute(TERRAFORM, "module.eks.cluster_version", "1.29") is TERRAFORM


@pytest.mark.parametrize("key, reason", [
    ("module.eks.name", "interpolated"),
    ("module.eks.tags", "expression"),
    ("module.eks.missing", "not set in the file"),
    ("variable.nope.default", "not in the file"),
    ("spot_min_size", "is not variable.NAME.default"),
])
def test_terraform_refusals(key, reason):
    with pytest.raises(hcl_scalar.SetRefused, match=reason):
        hcl_scalar.set_attribute(TERRAFORM, key, "x")
