pytest_plugins = ["golang.pytest_plugin"]
