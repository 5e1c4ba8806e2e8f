"""Helpers shared by the tests, one module per job (import from the module, not from here):

stack        the local stack's addresses (StackEnv), kubectl, apply, waiting, a kubeconfig aimed elsewhere
pods         test pods: on kwok nodes (exec runs on this machine), on the real node, their claims and quotas
real_node    fixtures and look-ups of the real node's tests (a pushed image, its storage class, helper pods)
images       FROM-scratch busybox build contexts and images, pushed to the stack's registry
files        folders of test data, their digests, and copies cut and resumed
net          TcpProxy: a connection to the API server that can be cut
state        fixtures giving a test its own state folder ($XDG_STATE_HOME) and working directory
app          the real app under Pilot: make_app, settle, answer_dialog, what its status line and pod list say
logs         the Logs screen's tests: kwok pods whose logs are files of the test, and what the screen shows
docker_config, engine_relay, token_registry
             docker config files and credential helpers, a relay in front of dockerd, a pull-only token registry
"""
