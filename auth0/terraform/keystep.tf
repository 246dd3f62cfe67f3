# Keystep's post-login Action, managed with the Auth0 Terraform provider (auth0/auth0).
# The same Action `npm run keystep -- auth0 install` installs: the code of auth0/action.js,
# trigger post-login v3, runtime node22, the secrets KEYSTEP_URL and KEYSTEP_SECRET (plus any
# optional ones), deployed, and bound LAST in the post-login flow. See docs/auth0-setup.md.
#
# auth0_trigger_actions owns the WHOLE post-login flow: list every other post-login Action in
# var.post_login_actions_before_keystep, in order; anything not listed is unbound. Keystep comes
# last so every other Action has run before it decides.
#
# Upgrading Keystep: `terraform apply` after pulling the new auth0/action.js. Never edit the
# Action's code in the dashboard or by hand: per-login rules live in Keystep's policy file.

terraform {
  required_providers {
    auth0 = {
      source  = "auth0/auth0"
      version = ">= 1.0.0"
    }
  }
}

variable "keystep_url" {
  description = "Keystep's public URL (Keystep's KEYSTEP_PUBLIC_URL), e.g. https://mfa.example.com"
  type        = string
}

variable "keystep_secret" {
  description = "The HS256 secret Keystep also holds as KEYSTEP_SECRET (at least 32 bytes)"
  type        = string
  sensitive   = true
}

variable "keystep_optional_secrets" {
  description = "Optional Action secrets: KEYSTEP_SSO_MAX_AGE_SECONDS, KEYSTEP_ALLOW_PASSWORD_GRANTS, KEYSTEP_CLAIM_NAMESPACE, KEYSTEP_PREVIOUS_SECRET (during a rotation)"
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "keystep_action_name" {
  description = "The Action's name in the tenant"
  type        = string
  default     = "Keystep"
}

variable "post_login_actions_before_keystep" {
  description = "The tenant's other post-login Actions, in the order they run, all before Keystep"
  type        = list(object({ id = string, display_name = string }))
  default     = []
}

resource "auth0_action" "keystep" {
  name    = var.keystep_action_name
  runtime = "node22"
  deploy  = true
  code    = file("${path.module}/../action.js")

  supported_triggers {
    id      = "post-login"
    version = "v3"
  }

  secrets {
    name  = "KEYSTEP_URL"
    value = var.keystep_url
  }

  secrets {
    name  = "KEYSTEP_SECRET"
    value = var.keystep_secret
  }

  dynamic "secrets" {
    for_each = nonsensitive(toset(keys(var.keystep_optional_secrets)))
    content {
      name  = secrets.value
      value = var.keystep_optional_secrets[secrets.value]
    }
  }
}

resource "auth0_trigger_actions" "post_login" {
  trigger = "post-login"

  dynamic "actions" {
    for_each = concat(var.post_login_actions_before_keystep, [{ id = auth0_action.keystep.id, display_name = auth0_action.keystep.name }])
    content {
      id           = actions.value.id
      display_name = actions.value.display_name
    }
  }
}
