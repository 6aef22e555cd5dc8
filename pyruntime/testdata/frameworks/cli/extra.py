"""Commands added to tool's group from another module (version 1)."""
import click

from tool import cli


@cli.command()
def stats():
    click.echo("stats v1")
