"""The baseline: the smallest Textual app that draws a frame. warroom's first frame is
compared with this one, measured in the same run on the same machine."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class HelloApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello from a bare textual app")


if __name__ == "__main__":
    HelloApp().run()
