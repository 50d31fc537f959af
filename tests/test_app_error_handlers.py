"""DPR301 honours app-level error handlers registered in another module than the routes (the app object, its
routers and its handlers spread over a package): the project stage reads each module's summary."""

from __future__ import annotations

import json
import textwrap

from conftest import write

from dapr_lint.cli import main

ROUTES = textwrap.dedent(
    """\
    from dapr.clients import DaprClient
    from fastapi import APIRouter

    router = APIRouter()
    client = DaprClient()


    @router.get("/orders/{order_id}")
    def get_order(order_id: str) -> dict:
        return {"order": client.get_state("statestore", order_id).text()}
    """
)

MAIN = textwrap.dedent(
    """\
    import uvicorn
    from fastapi import FastAPI

    from orders.routes import router

    app = FastAPI()
    app.include_router(router)
    {handler}

    if __name__ == "__main__":
        uvicorn.run(app, port=8000)
    """
)

HANDLER = textwrap.dedent(
    """\
    from fastapi import Request
    from fastapi.responses import JSONResponse


    async def failed(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "unavailable"}, status_code=503)


    def install(app) -> None:
        app.add_exception_handler(Exception, failed)
    """
)


def _dpr301(project, capsys, handler: str) -> list[dict]:
    write(project, "pyproject.toml", "[tool.dapr-lint]\n")
    write(project, "orders/__init__.py", "")
    write(project, "orders/routes.py", ROUTES)
    if "orders.errors" in handler:
        write(project, "orders/errors.py", HANDLER)
    write(project, "orders/main.py", MAIN.format(handler=handler))
    main(["check", ".", "--select", "DPR301", "--output-format", "json", "--no-cache"])
    return json.loads(capsys.readouterr().out)


def test_a_route_in_another_module_is_reported_without_an_app_level_handler(project, capsys):
    (finding,) = _dpr301(project, capsys, "")
    assert (finding["path"], finding["line"]) == ("orders/routes.py", 10)


def test_an_app_level_handler_in_a_third_module_covers_the_routes_of_its_app(project, capsys):
    handler = "from orders.errors import install\ninstall(app)\n"
    # the handler is registered in orders/errors.py, on an app it is handed: the Dapr app's modules decide
    assert _dpr301(project, capsys, handler) == []


def test_an_app_level_handler_beside_the_app_covers_the_routes_of_its_routers(project, capsys):
    handler = "app.add_exception_handler(Exception, lambda request, exc: None)\n"
    assert _dpr301(project, capsys, handler) == []


def test_one_finding_per_route_with_its_other_unguarded_calls_related(project, capsys):
    write(project, "pyproject.toml", "[tool.dapr-lint]\n")
    write(
        project,
        "app.py",
        textwrap.dedent(
            """\
            from dapr.clients import DaprClient
            from flask import Flask

            app = Flask(__name__)
            client = DaprClient()


            @app.route("/orders/<order_id>", methods=["POST"])
            def save(order_id: str):
                client.save_state("statestore", order_id, "{}")
                client.publish_event("pubsub", "orders", order_id)
                return "ok"
            """
        ),
    )
    main(["check", ".", "--select", "DPR301", "--output-format", "json", "--no-cache"])
    (finding,) = json.loads(capsys.readouterr().out)
    assert (finding["line"], finding["message"].split(" ", 1)[0]) == (10, "`save_state`")
    assert [(r["line"], r["message"]) for r in finding["related"]] == [(11, "`publish_event` is not guarded either")]
