#!/bin/sh
# The kill test of t310-load-killed.sh on the Dark Web ID fixture store
# (organizations, links, domains, integration.json, audit).
LOAD_KILL_PRODUCT=darkwebid
export LOAD_KILL_PRODUCT
exec sh "${ITG_REPO:-$(pwd)}/tests/e2e/t310-load-killed.sh"
