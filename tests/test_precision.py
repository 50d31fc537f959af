"""Precision patterns that need a project on disk: test code, run templates next to their apps."""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import write

from dapr_lint.cli import main

pytestmark = pytest.mark.slow  # `pytest -m "not slow"` leaves it out of the fast loop


def _findings(capsys, *args: str) -> list[tuple[str, int, str]]:
    main(["check", *args, "--format", "json", "--jobs", "1"])
    return sorted((f["path"], f["line"], f["code"]) for f in json.loads(capsys.readouterr().out))


# A client per test, print, no health route: normal in tests. A dict payload is a bug wherever it is.
TEST_MODULE = textwrap.dedent(
    """\
    from dapr.clients import DaprClient
    from fastapi import FastAPI

    app = FastAPI()


    def test_save():
        client = DaprClient()
        client.save_state("statestore", "k", {"a": 1})
        print("saved")
    """
)


def test_lifecycle_and_hygiene_rules_are_off_in_test_code_bug_rules_stay_on(project, capsys):
    for name in ("tests/test_orders.py", "orders_test.py", "conftest.py", "pkg/tests/helpers.py"):
        write(project, name, TEST_MODULE)
    found = _findings(capsys, ".", "--extend-select", "DPR412")
    assert {code for _, _, code in found} == {"DPR201"}
    assert sorted(path for path, _, _ in found) == ["conftest.py", "orders_test.py", "pkg/tests/helpers.py", "tests/test_orders.py"]


def test_test_paths_is_configurable(project, capsys):
    write(project, "tests/test_orders.py", TEST_MODULE)
    write(project, "checks/smoke.py", TEST_MODULE)
    write(project, "pyproject.toml", '[tool.dapr-lint]\ntest-paths = ["checks"]\n')
    found = _findings(capsys, ".")
    codes = {(path, code) for path, _, code in found}
    assert ("tests/test_orders.py", "DPR106") in codes
    assert ("checks/smoke.py", "DPR201") in codes and ("checks/smoke.py", "DPR106") not in codes


def test_a_bad_test_paths_value_is_a_usage_error(project, capsys):
    write(project, "pyproject.toml", '[tool.dapr-lint]\ntest-paths = "tests"\n')
    write(project, "app.py", "import dapr\n")
    assert main(["check", "."]) == 2
    assert "test-paths" in capsys.readouterr().err


RUN_TEMPLATE = textwrap.dedent(
    """\
    version: 1
    apps:
      - appID: orders
        appDirPath: ./orders
        appPort: 8000
        command: ["python3", "app.py"]
      - appID: checkout
        appDirPath: ./checkout
        appPort: 8000
        command: ["python3", "app.py"]
    """
)
SERVER = "from fastapi import FastAPI\n\napp = FastAPI()\n"
CLIENT = textwrap.dedent(
    """\
    from dapr.clients import DaprClient


    def main():
        with DaprClient() as client:
            client.invoke_method("orders", "orders", data="{}", http_verb="POST")


    if __name__ == "__main__":
        main()
    """
)


def test_an_app_with_no_server_may_share_the_app_port_of_the_server_it_calls(project, capsys):
    write(project, "dapr.yaml", RUN_TEMPLATE)
    write(project, "orders/app.py", SERVER)
    write(project, "checkout/app.py", CLIENT)
    assert [f for f in _findings(capsys, "dapr.yaml") if f[2] == "DPR512"] == []


def test_two_servers_on_one_app_port_are_still_reported(project, capsys):
    write(project, "dapr.yaml", RUN_TEMPLATE)
    write(project, "orders/app.py", SERVER)
    write(project, "checkout/app.py", SERVER)
    assert [f for f in _findings(capsys, "dapr.yaml") if f[2] == "DPR512"] == [("dapr.yaml", 9, "DPR512")]


@pytest.mark.parametrize(
    "paths",
    [("dapr.yaml",), ("dapr.yaml", "orders/app.py"), ("dapr.yaml", "checkout/app.py"), (".",)],
    ids=["template", "template+orders", "template+checkout", "all"],
)
def test_a_shared_app_port_is_judged_the_same_whatever_files_the_run_is_given(project, capsys, paths):
    # the apps' code is read from the application model, which has the whole repository's summaries
    write(project, "dapr.yaml", RUN_TEMPLATE)
    write(project, "orders/app.py", SERVER)
    write(project, "checkout/app.py", "import uvicorn\nfrom fastapi import FastAPI\n\napp = FastAPI()\nuvicorn.run(app, port=8000)\n")
    found = [f for f in _findings(capsys, *paths, "--no-cache") if f[2] == "DPR512"]
    assert found == [("dapr.yaml", 9, "DPR512")]


def test_a_client_beside_its_server_in_one_folder_may_share_the_app_port(project, capsys):
    # one folder, two apps (a server and the client that calls it): the client's app owns only its own module
    template = RUN_TEMPLATE.replace("./orders", ".").replace("./checkout", ".").replace('"app.py"]\n  - appID', '"server.py"]\n  - appID')
    template = template.replace('"python3", "app.py"]', '"python3", "client.py"]')
    write(project, "dapr.yaml", template)
    write(project, "server.py", SERVER)
    write(project, "client.py", CLIENT)
    assert [f for f in _findings(capsys, "dapr.yaml") if f[2] == "DPR512"] == []
    write(project, "client.py", SERVER)  # two servers in one folder on one port: still a clash
    assert [f for f in _findings(capsys, "dapr.yaml") if f[2] == "DPR512"] == [("dapr.yaml", 9, "DPR512")]


def test_an_app_that_stops_serving_is_seen_through_the_cache(project, capsys):
    # the template's text does not change, its app folders do: the cached result of dapr.yaml must not hold
    write(project, "dapr.yaml", RUN_TEMPLATE)
    write(project, "orders/app.py", SERVER)
    write(project, "checkout/app.py", SERVER)
    shared = [("dapr.yaml", 9, "DPR512")]
    assert [f for f in _findings(capsys, "dapr.yaml", "--cache-dir", ".cache") if f[2] == "DPR512"] == shared
    write(project, "checkout/app.py", CLIENT)
    assert [f for f in _findings(capsys, "dapr.yaml", "--cache-dir", ".cache") if f[2] == "DPR512"] == []
    write(project, "checkout/app.py", SERVER)
    assert [f for f in _findings(capsys, "dapr.yaml", "--cache-dir", ".cache") if f[2] == "DPR512"] == shared


def test_fix_leaves_test_code_alone(project, capsys):
    # the SDK's own test of the flask_dapr shim imports it on purpose (in a helper called under pytest.warns)
    shim = "import flask_dapr\n\n\ndef fresh():\n    return flask_dapr\n"
    write(project, "tests/test_shim.py", shim)
    write(project, "app.py", shim)
    main(["check", ".", "--fix", "--no-cache", "--exit-zero", "--jobs", "1"])
    capsys.readouterr()
    assert (project / "tests/test_shim.py").read_text(encoding="utf-8") == shim
    assert "import dapr.ext.flask as flask_dapr" in (project / "app.py").read_text(encoding="utf-8")


def test_a_finding_in_test_code_is_not_offered_as_fixable(project, capsys):
    # after `--fix` on the SDK, "1 fixable with `--fix`" named the shim import --fix had left alone on purpose
    write(project, "tests/test_shim.py", "import flask_dapr\n\n\ndef fresh():\n    return flask_dapr\n")
    main(["check", ".", "--no-cache", "--exit-zero", "--jobs", "1", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["fix"]) for f in findings] == [("DPR109", None)]
    main(["check", ".", "--no-cache", "--exit-zero", "--jobs", "1"])
    out = capsys.readouterr().out
    assert "DPR109 bug      `flask_dapr` is deprecated" in out and "fixable" not in out


# A component with `secretKeyRef` and no `auth.secretStore`: on Kubernetes it reads the namespace's secrets.
SECRET_REF_COMPONENT = textwrap.dedent(
    """\
    apiVersion: dapr.io/v1alpha1
    kind: Component
    metadata:
      name: pubsub
    spec:
      type: pubsub.azure.servicebus.topics
      version: v1
      metadata:
      - name: connectionString
        secretKeyRef:
          name: demo-bus-secret
          key: connection-string
    """
)
CHART = "apiVersion: v2\nname: demochart\nversion: 0.1.0\n"


def test_a_helm_chart_s_templates_are_kubernetes_manifests(project, capsys):
    # the samples' twitter-sentiment-processor: a chart folder not named `charts`, plain (untemplated) components
    write(project, "demos/demo3/demochart/Chart.yaml", CHART)
    write(project, "demos/demo3/demochart/templates/pubsub.yaml", SECRET_REF_COMPONENT)
    write(project, "demos/demo3/demochart/templates/dapr/statestore.yaml", SECRET_REF_COMPONENT)
    # a Go-template file of the chart: its YAML only exists after rendering
    write(project, "demos/demo3/demochart/templates/secret.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\n"
          "metadata:\n  name: {{ .Release.Name }}\nspec:\n  type: state.redis\n")
    assert _findings(capsys, ".") == []


def test_a_templates_folder_without_a_chart_is_not_kubernetes(project, capsys):
    write(project, "demo/templates/pubsub.yaml", SECRET_REF_COMPONENT)
    write(project, "demo/Chart.yaml.txt", CHART)
    assert _findings(capsys, ".") == [("demo/templates/pubsub.yaml", 10, "DPR509")]


def test_a_chart_added_later_is_seen_through_the_cache(project, capsys):
    write(project, "demo/templates/pubsub.yaml", SECRET_REF_COMPONENT)
    assert _findings(capsys, ".", "--cache-dir", ".cache") == [("demo/templates/pubsub.yaml", 10, "DPR509")]
    write(project, "demo/Chart.yaml", CHART)
    assert _findings(capsys, ".", "--cache-dir", ".cache") == []


# The quickstarts' Java job scheduler: a client that names the job service's appPort.
JAVA_RUN_TEMPLATE = textwrap.dedent(
    """\
    version: 1
    apps:
      - appDirPath: ./job-service/
        appID: job-service-sdk
        appPort: 8080
        command: [ "java", "-jar", "target/JobService-0.0.1-SNAPSHOT.jar" ]
      - appDirPath: ./job-scheduler/
        appID: job-scheduler-sdk
        daprGRPCPort: 6200
        daprHTTPPort: 6390
        appPort: 8080
        command: ["java", "-jar", "target/JobScheduler-0.0.1-SNAPSHOT.jar"]
    """
)


def test_an_app_not_known_to_run_a_server_may_share_an_app_port(project, capsys):
    write(project, "dapr.yaml", JAVA_RUN_TEMPLATE)
    write(project, "job-service/pom.xml", "<project/>\n")
    write(project, "job-service/src/main/java/com/service/JobController.java", "@RestController class JobController {}\n")
    write(project, "job-scheduler/pom.xml", "<project/>\n")
    write(project, "job-scheduler/src/main/java/com/service/JobScheduler.java", "class JobScheduler {}\n")
    assert [f for f in _findings(capsys, "dapr.yaml") if f[2] == "DPR512"] == []
    # a Python server and a Java app: the Java app is not known to bind the port either
    write(project, "job-service/app.py", SERVER)
    assert [f for f in _findings(capsys, "dapr.yaml") if f[2] == "DPR512"] == []


def test_app_folders_that_are_not_there_tell_nothing_about_a_shared_app_port(project, capsys):
    write(project, "dapr.yaml", RUN_TEMPLATE)
    assert [f for f in _findings(capsys, "dapr.yaml") if f[2] == "DPR512"] == []


def test_other_shared_ports_are_reported_whatever_the_apps_are(project, capsys):
    # two sidecars on one HTTP port: daprd binds it whatever the apps are
    template = JAVA_RUN_TEMPLATE.replace("appPort: 8080\n    command: [ ", "appPort: 8080\n    daprHTTPPort: 6390\n    command: [ ")
    write(project, "dapr.yaml", template)
    assert [f for f in _findings(capsys, "dapr.yaml") if f[2] == "DPR512"] == [("dapr.yaml", 11, "DPR512")]
