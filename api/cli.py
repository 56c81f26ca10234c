"""The ``padron`` command line: one small function per subcommand, each a call into the library."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli_cobertura import cobertura_app, reglas_app
from api.cli_revision import revision_app
from api.settings import Settings, resolve_database_url

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from geo.geocode import GeocodeReport

app = typer.Typer(help="Padrón Único de Beneficiarios (Oaxaca).", no_args_is_help=True)
db_app = typer.Typer(help="Base de datos: clúster local y migraciones.", no_args_is_help=True)
boundaries_app = typer.Typer(help="Geografía de referencia INEGI/CONAPO.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(boundaries_app, name="boundaries")
export_app = typer.Typer(help="Exportaciones a CSV.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(cobertura_app, name="cobertura")
app.add_typer(reglas_app, name="reglas")
app.add_typer(revision_app, name="revision")


def _add_subapps() -> None:
    from api.cli_usuarios import app as usuarios_app

    app.add_typer(usuarios_app, name="usuarios")


def _settings() -> Settings:
    return Settings()


def _engine() -> Engine:
    from geo.db import make_engine

    return make_engine(resolve_database_url(_settings()))


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


# -- db ----------------------------------------------------------------------------------------


@db_app.command("start")
def db_start() -> None:
    """Crea (si hace falta) e inicia el clúster PostgreSQL local del proyecto."""
    from geo.cluster import LocalCluster

    settings = _settings()
    if settings.database_url:
        raise _fail("DATABASE_URL está definida: se usa ese servidor, no el clúster local.")
    url = LocalCluster(settings.cluster_dir).start()
    typer.echo(f"PostgreSQL local en marcha: {url}")


@db_app.command("stop")
def db_stop() -> None:
    """Detiene el clúster local."""
    from geo.cluster import LocalCluster

    LocalCluster(_settings().cluster_dir).stop()
    typer.echo("PostgreSQL local detenido.")


@db_app.command("status")
def db_status() -> None:
    """Informa si el clúster local existe y está en marcha, y la revisión del esquema."""
    from geo.cluster import LocalCluster

    settings = _settings()
    if settings.database_url:
        typer.echo("Servidor externo (DATABASE_URL).")
        return
    status = LocalCluster(settings.cluster_dir).status()
    typer.echo(f"directorio: {status.data_dir}")
    typer.echo(f"inicializado: {'sí' if status.initialised else 'no'}")
    typer.echo(f"en marcha: {'sí' if status.running else 'no'}")
    if status.url:
        typer.echo(f"url: {status.url}")
    if not status.running:
        raise typer.Exit(code=3)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Lleva el esquema de la base de datos a la última migración."""
    from geo.db import current_revision, upgrade

    engine = _engine()
    upgrade(engine)
    typer.echo(f"Esquema en la revisión {current_revision(engine)}.")


# -- boundaries --------------------------------------------------------------------------------


@boundaries_app.command("load")
def boundaries_load(
    source: Annotated[
        Path | None,
        typer.Option("--from", help="Directorio con los productos (por omisión, PADRON_DATA_DIR)."),
    ] = None,
    state: Annotated[str, typer.Option("--state", help="Clave INEGI de la entidad.")] = "20",
    iml: Annotated[
        Path | None, typer.Option("--iml", help="Índice de marginación por localidad (CONAPO).")
    ] = None,
    sepomex: Annotated[
        Path | None, typer.Option("--sepomex", help="Catálogo de códigos postales (SEPOMEX).")
    ] = None,
) -> None:
    """Carga municipios, localidades, censo y marginación, con verificaciones."""
    from boundaries.load import SourceFiles, load_iml, load_sepomex, load_state
    from geo.db import upgrade
    from geo.errors import PadronError

    engine = _engine()
    upgrade(engine)
    state = state.zfill(2)
    try:
        report = load_state(engine, SourceFiles.discover(source or _settings().data_dir), state)
        with engine.begin() as conn:
            if iml:
                typer.echo(f"  IML: {load_iml(conn, iml, state):,} localidades")
            if sepomex:
                typer.echo(f"  SEPOMEX: {load_sepomex(conn, sepomex, state):,} asentamientos")
    except PadronError as error:
        raise _fail(str(error)) from None
    if not report.changed:
        typer.echo("Sin cambios: esos archivos ya estaban cargados.")
    for table, count in report.counts.items():
        typer.echo(f"  {table}: {count:,}")
    typer.echo(
        f"  localidades fuera de su municipio (señaladas): {report.localidades_fuera_de_municipio}"
    )
    typer.echo(
        f"  polígonos fuera de su municipio (señalados): {report.poligonos_fuera_de_municipio}"
    )
    typer.echo(f"  marginación por fuente: {report.fuentes_marginacion}")


@boundaries_app.command("fetch")
def boundaries_fetch(
    state: Annotated[str, typer.Option("--state", help="Clave INEGI de la entidad (01-32).")],
    dest: Annotated[
        Path | None,
        typer.Option("--dest", help="Caché de descargas (por omisión PADRON_HOME/descargas)."),
    ] = None,
    product: Annotated[
        list[str] | None, typer.Option("--product", help="Solo estos productos (repetible).")
    ] = None,
) -> None:
    """Descarga de sus editores (INEGI, CONAPO) los productos de una entidad, con sumas SHA-256."""
    from boundaries.fetch import fetch_state
    from geo.errors import PadronError

    cache = dest or _settings().home / "descargas"
    try:
        fetched = fetch_state(state, cache, products=product)
    except PadronError as error:
        raise _fail(str(error)) from None
    for item in fetched:
        origin = "caché" if item.from_cache else item.url
        typer.echo(f"  {item.product}: {item.path} ({origin}; sha256 {item.sha256[:12]}…)")
    typer.echo(f"Listo; cargue con: padron boundaries load --from {cache} --state {state}")


# -- rosters ----------------------------------------------------------------------------------


@app.command("ingest")
def ingest(
    archivo: Annotated[Path, typer.Argument(help="Padrón en CSV o XLSX.")],
    program: Annotated[str, typer.Option("--program", help="Clave del programa.")],
    period: Annotated[
        str | None, typer.Option("--period", help="Periodo (p. ej. 2024-T1).")
    ] = None,
    layout: Annotated[
        str, typer.Option("--layout", help="'pub' o la ruta de un mapeo YAML de columnas.")
    ] = "pub",
    geocodificar: Annotated[
        bool, typer.Option("--geocodificar/--sin-geocodificar", help="Ubicar la carga al terminar.")
    ] = True,
    cobertura: Annotated[
        bool,
        typer.Option(
            "--cobertura/--sin-cobertura", help="Refrescar la cobertura (solo lo que cambió)."
        ),
    ] = True,
) -> None:
    """Carga un padrón: cada renglón queda cargado o rechazado con su motivo."""
    from geo.db import upgrade
    from geo.errors import PadronError
    from geo.geocode import geocode
    from geo.ingest import ingest_file, load_layout

    engine = _engine()
    upgrade(engine)
    try:
        result = ingest_file(engine, archivo, program, periodo=period, layout=load_layout(layout))
    except PadronError as error:
        raise _fail(str(error)) from None
    if result.ya_cargado:
        typer.echo(f"Sin cambios: este contenido ya se cargó en la carga {result.carga_id}.")
    else:
        typer.echo(
            f"Carga {result.carga_id}: {result.archivo} ({result.formato}, {result.codificacion}, "
            f"delimitador {result.delimitador!r})"
        )
    typer.echo(
        f"  leídas {result.filas_leidas:,} = cargadas {result.filas_cargadas:,} "
        f"+ rechazadas {result.filas_rechazadas:,}"
    )
    for motivo, count in sorted(result.rechazos.items()):
        typer.echo(f"  rechazo {motivo}: {count:,}")
    for bandera, count in result.banderas.items():
        typer.echo(f"  bandera {bandera}: {count:,}")
    if geocodificar and not result.ya_cargado and result.filas_cargadas:
        _report_geocode(geocode(engine, result.carga_id))
        if cobertura:
            from api.cli_cobertura import refrescar

            refrescar(areas=False)


@app.command("geocode")
def geocode_command(
    carga: Annotated[int | None, typer.Option("--carga", help="Solo esta carga.")] = None,
    todas: Annotated[bool, typer.Option("--todas", help="Rehacer todas las cargas.")] = False,
) -> None:
    """Ubica cada registro: municipio, localidad, punto, precisión y banderas."""
    from geo.errors import PadronError
    from geo.geocode import geocode

    try:
        report = geocode(_engine(), carga, all_batches=todas)
    except PadronError as error:
        raise _fail(str(error)) from None
    _report_geocode(report)


def _report_geocode(report: GeocodeReport) -> None:
    if not report.cargas:
        typer.echo("No hay cargas por ubicar.")
        return
    typer.echo(f"Ubicados {report.registros:,} registros de las cargas {report.cargas}")
    for precision, count in sorted(report.por_precision.items(), key=lambda kv: -kv[1]):
        typer.echo(f"  precisión {precision}: {count:,}")
    for bandera, count in report.por_bandera.items():
        typer.echo(f"  bandera {bandera}: {count:,}")


@export_app.command("registros")
def export_registros(
    out: Annotated[Path, typer.Option("--out", help="Archivo CSV de salida.")],
) -> None:
    """Un renglón por registro: programa, folio, persona, clave, punto, precisión, banderas."""
    from geo.export import export_records

    with out.open("w", encoding="utf-8", newline="") as handle, _engine().connect() as conn:
        count = export_records(conn, handle)
    typer.echo(f"{count:,} registros escritos en {out}.")


@app.command("resolve")
def resolve_command() -> None:
    """Agrupa los registros en personas: CURP exacta o con un carácter mal capturado, y sin CURP
    utilizable por nombres, fecha, sexo, entidad de nacimiento y localidad."""
    from geo.resolve import resolve

    report = resolve(_engine())
    typer.echo(
        f"{report.personas:,} personas; {report.resueltos:,} registros resueltos, "
        f"{report.sin_resolver:,} sin persona; {report.en_revision:,} pares en revisión "
        "(padron revision listar)."
    )


@app.command("duplicados")
def duplicados(
    as_json: Annotated[bool, typer.Option("--json", help="Salida completa en JSON.")] = False,
) -> None:
    """Apoyos duplicados: personas en varios programas o repetidas en uno, y el importe."""
    import json

    from geo.resolve import duplicated_support

    with _engine().connect() as conn:
        report = duplicated_support(conn)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    for programa, count in sorted(report.personas_por_programa.items()):
        extra = report.duplicados_en_programa.get(programa, 0)
        typer.echo(f"  {programa}: {count:,} personas únicas; {extra:,} inscripciones repetidas")
    for (first, second), count in sorted(report.pares_de_programas.items()):
        typer.echo(f"  {first} y {second}: {count:,} personas en ambos")
    typer.echo(f"  importe de personas en varios programas: {report.importe_varios_programas}")
    typer.echo(f"  importe de inscripciones repetidas: {report.importe_repetido_en_programa}")
    typer.echo(f"  registros sin persona: {report.registros_sin_persona:,}")


@app.command("synth")
def synth(
    out: Annotated[Path, typer.Option("--out", help="Directorio de salida.")],
    scale: Annotated[
        float, typer.Option("--scale", help="Fracción de los tamaños reales (1 = 3.82 M filas).")
    ] = 0.01,
    seed: Annotated[
        int, typer.Option("--seed", help="Semilla (mismos archivos byte a byte).")
    ] = 2016,
) -> None:
    """Escribe padrones sintéticos (formato PUB) sobre las localidades reales, con su verdad."""
    from geo.errors import PadronError
    from geo.synth import SynthConfig, generate

    try:
        summary = generate(_settings().data_dir, out, SynthConfig.seed_sized(scale, seed))
    except PadronError as error:
        raise _fail(str(error)) from None
    for name, rows in summary.files.items():
        typer.echo(f"  {out / name}: {rows:,} filas")
    typer.echo(f"  {summary.truth}: verdad de {summary.people:,} personas")


@export_app.command("rechazos")
def export_rechazos(
    out: Annotated[Path, typer.Option("--out", help="Archivo CSV de salida.")],
    carga: Annotated[int | None, typer.Option("--carga", help="Solo esta carga.")] = None,
) -> None:
    """Escribe los renglones rechazados (con sus valores originales) en CSV."""
    from geo.ingest import export_rejects

    engine = _engine()
    with out.open("w", encoding="utf-8", newline="") as handle, engine.connect() as conn:
        count = export_rejects(conn, handle, carga)
    typer.echo(f"{count:,} rechazos escritos en {out}.")


@export_app.command("original")
def export_original(
    carga: Annotated[int, typer.Option("--carga", help="Carga cuyo archivo se escribe.")],
    out: Annotated[Path, typer.Option("--out", help="Archivo de salida.")],
) -> None:
    """Escribe el archivo de una carga tal como se recibió (verificado con su SHA-256)."""
    from geo.errors import PadronError
    from geo.ingest.archive import write_original

    try:
        with out.open("wb") as handle, _engine().connect() as conn:
            size = write_original(conn, carga, handle)
    except PadronError as error:
        out.unlink(missing_ok=True)
        raise _fail(str(error)) from None
    typer.echo(f"{size:,} bytes de la carga {carga} escritos en {out}.")


# -- serve -------------------------------------------------------------------------------------


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Interfaz (por omisión PADRON_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Puerto (por omisión PADRON_PORT).")] = None,
) -> None:
    """Sirve la API y el mapa."""
    import uvicorn

    from api.app import create_app

    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    typer.echo(f"Mapa: http://{host}:{port}/mapa  ·  API: http://{host}:{port}/docs")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@app.command("demo")
def demo(
    host: Annotated[str | None, typer.Option(help="Interfaz (por omisión PADRON_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Puerto (por omisión PADRON_PORT).")] = None,
) -> None:
    """Trabajo principal: base local, geografía de Oaxaca, padrón de muestra (cargado, ubicado,
    resuelto en personas y con cobertura), API y mapa."""
    from geo.synth import SynthConfig

    settings = _settings()
    if not settings.database_url:
        db_start()
    db_upgrade()
    boundaries_load(source=None, state="20", iml=None, sepomex=None)
    sample = settings.home / "muestra"
    config = SynthConfig.seed_sized(scale=0.01)
    if not (sample / "verdad.csv").exists():
        synth(out=sample, scale=0.01, seed=config.seed)
    for program in config.programs:
        ingest(
            sample / program.file_name,
            program=program.code,
            period=program.period,
            layout="pub",
            cobertura=False,
        )
    resolve_command()
    from api.cli_cobertura import refrescar

    refrescar(areas=False)
    serve(host=host, port=port)


_add_subapps()


def main() -> None:
    """Entry point of the ``padron`` script."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app()
