"""Request dependencies: typed aliases reading what the lifespan put on `app.state`."""

from typing import Annotated

from fastapi import Depends, Request

from api.turns import TurnRunner
from config.settings import Settings
from graph.resources import Resources
from memory.sessions import SessionRegistry


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_runner(request: Request) -> TurnRunner:
    return request.app.state.runner


async def get_sessions(request: Request) -> SessionRegistry:
    return request.app.state.sessions


async def get_resources(request: Request) -> Resources:
    return request.app.state.resources


SettingsDep = Annotated[Settings, Depends(get_settings)]
RunnerDep = Annotated[TurnRunner, Depends(get_runner)]
SessionsDep = Annotated[SessionRegistry, Depends(get_sessions)]
ResourcesDep = Annotated[Resources, Depends(get_resources)]
