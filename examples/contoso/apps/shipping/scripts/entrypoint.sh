#!/bin/sh
# Container entrypoint: log the Azure CLI in (used by the label upload hook), then start the service.
set -eu
az login --identity --allow-no-subscriptions > /dev/null
exec /usr/local/bin/shipping "$@"
