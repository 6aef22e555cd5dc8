"""click: commands and groups are updated in place, and a group serves the
commands its modules now define.

`@click.command()` and `@group.command()` turn a function into a Command
object, so the module name no longer holds a function the core can patch:
a group held elsewhere (a console script's entry point, `cli` imported by
another module) kept running the old bodies and never saw a new command.

- A Command or Group made again by its module updates the old object in
  place: its callback function takes the new code, its parameters, help and
  options are the new ones, and a group's commands are the new set, each
  updated in place in turn.
- Before modules re-run, the commands whose callbacks they define leave the
  live groups (bound at module level in the user's modules), so the re-run
  adds them again: a command removed from the source is gone, as in a fresh
  run. One added by code that did not re-run (`cli.add_command(x)`
  elsewhere) is put back.
"""

import sys

from . import Adapter
from .live import live_instances, owner, touches


def callback_owner(command):
    return owner(getattr(command, "callback", None))


class ClickAdapter(Adapter):
    module = "click"

    def __init__(self, workspace=None):
        super().__init__(workspace)
        self.taken = []  # (group, name, command) taken off before the re-run
        self.updated = {}  # id(new command) -> (new, the old one it updated)
        self.touched = False  # a module that ran holds something of click
        self.rules = [(self.is_command_pair, self.update_command)]

    def before_run(self, up, module):
        """Takes the commands module defines off the live groups, just before
        it re-runs: it adds again those it still defines."""
        click = sys.modules["click"]
        name = module.__name__
        if not touches(module, ("click",)):
            return
        self.touched = True
        for group in live_instances(self.workspace, click.Group, [module]):
            commands = group.__dict__.get("commands")
            if not isinstance(commands, dict):
                continue
            up.manage(group)
            kept = {}
            for key, command in commands.items():
                if callback_owner(command) == name:
                    self.taken.append((group, key, command))
                else:
                    kept[key] = command
            if len(kept) != len(commands):
                up.set_attr(group, "commands", kept)

    def after_rerun(self, up, modules):
        if not self.touched and not self.updated:
            return
        click = sys.modules["click"]
        # A decorator registered the new command object on its group before
        # the module name was bound to the old one, updated: the group gets
        # the old one too, so there is one object.
        groups = [g for g, _, _ in self.taken] + live_instances(self.workspace, click.Group, modules)
        seen = set()
        for group in groups:
            commands = group.__dict__.get("commands")
            if id(group) in seen or not isinstance(commands, dict):
                continue
            seen.add(id(group))
            swapped = {name: self.old_for(c) for name, c in commands.items()}
            if any(swapped[n] is not commands[n] for n in commands):
                up.set_attr(group, "commands", swapped)
        for group, name, command in self.taken:
            if name in group.commands:
                continue
            callback = getattr(command, "callback", None)
            module = sys.modules.get(owner(callback) or "")
            if getattr(module, getattr(callback, "__name__", ""), None) is callback:
                # Still defined: it was added by code that did not re-run.
                group.commands[name] = command

    def old_for(self, command):
        """The old command a new one updated, or the command itself."""
        entry = self.updated.get(id(command))
        return entry[1] if entry is not None and entry[0] is command else command

    def is_command_pair(self, up, old, new):
        click = sys.modules["click"]
        return (isinstance(old, click.Command) and type(old) is type(new) and old.name == new.name
                and callback_owner(old) == callback_owner(new))

    def update_command(self, up, old, new, where):
        merged = {}
        for key, value in new.__dict__.items():
            was = old.__dict__.get(key)
            if key == "commands" and isinstance(value, dict) and isinstance(was, dict):
                value = {name: up.resolve(was[name], command, "%s %s" % (where, name)) if name in was else command
                         for name, command in value.items()}
            elif was is not None and callable(value):
                value = up.resolve(was, value, "%s.%s" % (where, key))
            merged[key] = value
        up.set_attr(old, "__dict__", merged)
        self.updated[id(new)] = (new, old)
        return True
