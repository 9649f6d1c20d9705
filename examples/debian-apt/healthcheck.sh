#!/bin/sh
# Reports tool versions; a stand-in for a real health probe.
curl --version | head -1
jq --version
