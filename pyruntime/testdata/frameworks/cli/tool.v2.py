"""A click command group (version 2): a command edited with a new default, one added, one removed."""
import click


@click.group()
def cli():
    pass


@cli.command()
@click.option("--n", default=2)
def hello(n):
    click.echo("hello v2 x%d" % n)


@cli.command()
def bye():
    click.echo("bye")
