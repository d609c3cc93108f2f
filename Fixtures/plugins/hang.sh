#!/bin/sh
# A plugin that never answers: the host must kill it at its timeout.
sleep 60
