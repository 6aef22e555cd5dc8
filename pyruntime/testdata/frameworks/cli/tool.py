"""A click command group (version 1)."""
import click


@click.group()
def cli():
    pass


@cli.command()
@click.option("--n", default=1)
def hello(n):
    click.echo("hello v1 x%d" % n)


@cli.command()
def old():
    click.echo("old")
