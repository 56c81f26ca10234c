// Public map: reference geography and aggregated coverage (never beneficiaries). Vector tiles
// described by the service's own MapLibre style (/mapa/estilo.json) and TileJSON documents.
(async function () {
  "use strict";
  const origen = window.location.origin;
  const estilo = await (await fetch(origen + "/mapa/estilo.json")).json();
  const GRADOS = estilo.metadata["padron:grados"];
  const CLASES = estilo.metadata["padron:clases"];
  const SIN_DATO = estilo.metadata["padron:sin_dato"];
  const UMBRAL_BRECHA = estilo.metadata["padron:umbral_brecha"];
  const estado = { vista: "marginacion", periodo: null, programas: [] };

  // Coverage sources: their TileJSON takes the period and programs into its tile URLs.
  function urlCobertura(capa) {
    const q = new URLSearchParams();
    if (estado.periodo !== null) q.set("periodo", estado.periodo);
    for (const p of estado.programas) q.append("programa", p);
    const consulta = q.toString();
    return origen + "/teselas/" + capa + ".json" + (consulta ? "?" + consulta : "");
  }

  const mapa = new maplibregl.Map({
    container: "mapa", style: estilo, minZoom: 5, maxZoom: 16,
    attributionControl: { compact: false },
  });
  mapa.addControl(new maplibregl.NavigationControl(), "top-left");
  window.padronMapa = mapa;

  const formato = new Intl.NumberFormat("es-MX");
  const porcentaje = (valor) => valor == null ? "sin dato"
    : (valor * 100).toLocaleString("es-MX", { maximumFractionDigits: valor < 0.01 ? 1 : 0 }) + " %";
  const texto = (valor) => {
    const span = document.createElement("span");
    span.textContent = valor == null || valor === "" ? "sin dato" : String(valor);
    return span.innerHTML;
  };
  function ventana(lngLat, html) {
    new maplibregl.Popup({ maxWidth: "280px" }).setLngLat(lngLat).setHTML(html).addTo(mapa);
  }
  function lineaCobertura(p) {
    const programas = estado.programas.length ? estado.programas.join(", ") : "todos los programas";
    const cifra = p.personas == null
      ? "cifra no publicada (pocas personas, o para que no puedan deducirse)"
      : `${texto(formato.format(p.personas))} personas, ${texto(porcentaje(p.cobertura))}`;
    return `<br>Cobertura ${texto(estado.periodo || "")} (${texto(programas)}): ${cifra}`;
  }
  mapa.on("click", (evento) => {
    const [loc] = mapa.queryRenderedFeatures(evento.point, { layers: ["cobertura-localidades", "localidades"] });
    if (loc) {
      const p = loc.properties;
      const extra = loc.layer.id === "cobertura-localidades" ? lineaCobertura(p) : "";
      if (p.n > 1) {  // a dense tile's aggregate: the localities of a cell
        ventana(loc.geometry.coordinates, `<h3>${texto(formato.format(p.n))} localidades</h3>
          <p>Población 2020: ${texto(formato.format(p.pobtot))}${extra}<br>
          Acerque el mapa para verlas una por una.</p>`);
        return;
      }
      ventana(loc.geometry.coordinates, `<h3>${texto(p.nom_loc)}</h3>
        <p>Clave ${texto(p.cvegeo)}<br>Población 2020: ${texto(formato.format(p.pobtot))}<br>
        Marginación: ${texto(p.gm)} (${texto(p.fuente)})${extra}</p>`);
      return;
    }
    const [mun] = mapa.queryRenderedFeatures(evento.point, { layers: ["cobertura-municipios", "municipios-relleno"] });
    if (mun) {
      const p = mun.properties;
      const extra = mun.layer.id === "cobertura-municipios" ? lineaCobertura(p) : "";
      ventana(evento.lngLat, `<h3>${texto(p.nom_mun)}</h3>
        <p>Clave ${texto(p.cvegeo)}<br>Población 2020: ${texto(formato.format(p.pob_2020 ?? p.pobtot))}<br>
        Marginación (IMM): ${texto(p.gm)}<br>Distrito: ${texto(p.distrito)} · Región: ${texto(p.region)}${extra}</p>`);
    }
  });
  for (const capa of ["localidades", "municipios-relleno", "cobertura-localidades", "cobertura-municipios"]) {
    mapa.on("mouseenter", capa, () => { mapa.getCanvas().style.cursor = "pointer"; });
    mapa.on("mouseleave", capa, () => { mapa.getCanvas().style.cursor = ""; });
  }
  mapa.on("idle", () => { document.body.dataset.mapaListo = "1"; });

  function muestra(lista, color, etiqueta) {
    const item = document.createElement("li");
    item.innerHTML = `<span class="muestra" style="background:${color}"></span>`;
    item.append(etiqueta);
    lista.append(item);
  }
  for (const [grado, color] of [...GRADOS, ["Sin dato", SIN_DATO]]) {
    muestra(document.getElementById("leyenda-grados"), color, grado);
  }
  for (const [, color, etiqueta] of [...CLASES, [null, SIN_DATO, "No publicada"]]) {
    muestra(document.getElementById("leyenda-clases"), color, etiqueta);
  }
  for (const id of ["leyenda", "filtros"]) {
    const panel = document.getElementById(id);
    document.getElementById(id + "-alternar").addEventListener("click", (e) => {
      const cerrada = panel.classList.toggle("cerrada");
      e.currentTarget.setAttribute("aria-expanded", String(!cerrada));
    });
  }

  // Filters: view, period and programs change the tiles; grade, population and coverage
  // filter the locality features already loaded.
  const gradosPanel = document.getElementById("filtro-grados");
  for (const [grado] of GRADOS) {
    const etiqueta = document.createElement("label");
    etiqueta.innerHTML = `<input type="checkbox" name="grado" value="${grado}"> `;
    etiqueta.append(grado);
    gradosPanel.append(etiqueta);
  }
  function aplicarFiltros() {
    const grados = [...document.querySelectorAll("input[name=grado]:checked")].map((c) => c.value);
    const minimo = Number(document.getElementById("filtro-poblacion").value) || 0;
    const maximo = (Number(document.getElementById("filtro-cobertura").value) || 0) / 100;
    const condiciones = ["all", [">=", ["get", "pobtot"], minimo],
      ["<=", ["coalesce", ["get", "cobertura"], 0], maximo]];
    if (grados.length) condiciones.push(["in", ["get", "gm"], ["literal", grados]]);
    mapa.setFilter("cobertura-localidades", condiciones);
    mapa.setFilter("brechas", [...condiciones, ["in", ["get", "gm"], ["literal", ["Alto", "Muy alto"]]],
      ["<", ["coalesce", ["get", "cobertura"], 0], UMBRAL_BRECHA]]);
    const cobertura = estado.vista === "cobertura";
    const ver = (capa, visible) => mapa.setLayoutProperty(capa, "visibility", visible ? "visible" : "none");
    ver("municipios-relleno", !cobertura);
    ver("localidades", !cobertura);
    ver("cobertura-municipios", cobertura);
    ver("cobertura-localidades", cobertura);
    ver("brechas", cobertura && document.getElementById("filtro-brechas").checked);
    document.getElementById("leyenda-marginacion").hidden = cobertura;
    document.getElementById("leyenda-cobertura").hidden = !cobertura;
  }
  function recargarTeselas() {
    mapa.getSource("cob_municipios").setUrl(urlCobertura("cobertura_municipios"));
    mapa.getSource("cob_localidades").setUrl(urlCobertura("cobertura_localidades"));
  }
  const formulario = document.getElementById("filtros-contenido");
  formulario.addEventListener("change", (evento) => {
    const objetivo = evento.target;
    if (objetivo.name === "vista") estado.vista = objetivo.value;
    if (objetivo.id === "filtro-periodo" || objetivo.name === "programa") {
      estado.periodo = document.getElementById("filtro-periodo").value;
      estado.programas = [...document.querySelectorAll("input[name=programa]:checked")].map((c) => c.value);
      recargarTeselas();
    }
    aplicarFiltros();
  });
  formulario.addEventListener("submit", (evento) => evento.preventDefault());

  const calculada = fetch(origen + "/cobertura/calculada").then((r) => r.json());
  const predeterminado = fetch(origen + "/cobertura/periodo").then((r) => r.json());
  mapa.on("load", async () => {
    aplicarFiltros();
    const [filas, porOmision] = await Promise.all([calculada, predeterminado]);
    const periodos = [...new Set(filas.map((c) => c.periodo ?? ""))];
    const selector = document.getElementById("filtro-periodo");
    for (const periodo of periodos) {
      const opcion = document.createElement("option");
      opcion.value = periodo;
      opcion.textContent = periodo || "(sin periodo)";
      selector.append(opcion);
    }
    const programas = [...new Set(filas.map((c) => c.programa))].sort();
    const panel = document.getElementById("filtro-programas");
    for (const programa of programas) {
      const etiqueta = document.createElement("label");
      const casilla = document.createElement("input");
      Object.assign(casilla, { type: "checkbox", name: "programa", value: programa });
      etiqueta.append(casilla, " " + programa);
      panel.append(etiqueta);
    }
    if (periodos.length) {
      // The newest period with enough placed records (GET /cobertura/periodo), not merely the
      // newest name: a batch whose records could not be placed must not blank the map.
      estado.periodo = periodos.includes(porOmision.periodo) ? porOmision.periodo : periodos[0];
      selector.value = estado.periodo;
      recargarTeselas();
    }
  });
})();
