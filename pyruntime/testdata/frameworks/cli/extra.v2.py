"""Commands added to tool's group from another module (version 2: the command renamed)."""
import click

from tool import cli


@cli.command()
def report():
    click.echo("report v2")
