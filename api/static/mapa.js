// Public map: reference geography and aggregated coverage (never beneficiaries). Vector tiles.
(function () {
  "use strict";
  const GRADOS = [
    ["Muy bajo", "#1a9850"], ["Bajo", "#91cf60"], ["Medio", "#fee08b"],
    ["Alto", "#fc8d59"], ["Muy alto", "#d73027"],
  ];
  const CLASES = [[0, "#f7fbff", "0 %"], [0.01, "#c6dbef", "1 %"], [0.05, "#6baed6", "5 %"],
    [0.1, "#2171b5", "10 %"], [0.25, "#08306b", "25 % o más"]];
  const SIN_DATO = "#bdbdbd";
  const UMBRAL_BRECHA = 0.05;
  const colorPorGrado = ["match", ["get", "gm"], ...GRADOS.flat(), SIN_DATO];
  const colorPorCobertura = ["step", ["coalesce", ["get", "cobertura"], 0], CLASES[0][1],
    ...CLASES.slice(1).flatMap(([limite, color]) => [limite, color])];
  const radioPorPoblacion = ["interpolate", ["linear"], ["sqrt", ["get", "pobtot"]], 1, 2, 100, 6, 500, 14];
  const origen = window.location.origin;
  const atribucion =
    "Fuente: INEGI, Marco Geoestadístico y Censo de Población y Vivienda 2020 (ITER). " +
    "Fuente: CONAPO, Índices de marginación 2020. Datos filtrados y transformados por el Padrón Único.";
  const estado = { vista: "marginacion", periodo: null, programas: [] };

  function urlCobertura(capa) {
    const q = new URLSearchParams();
    if (estado.periodo !== null) q.set("periodo", estado.periodo);
    for (const p of estado.programas) q.append("programa", p);
    const consulta = q.toString();
    return origen + "/teselas/" + capa + "/{z}/{x}/{y}.pbf" + (consulta ? "?" + consulta : "");
  }

  const fuentes = {
    municipios: {
      type: "vector", tiles: [origen + "/teselas/municipios/{z}/{x}/{y}.pbf"],
      minzoom: 0, maxzoom: 14, attribution: atribucion,
    },
    localidades: {
      type: "vector", tiles: [origen + "/teselas/localidades/{z}/{x}/{y}.pbf"],
      minzoom: 5, maxzoom: 14,
    },
    cob_municipios: { type: "vector", tiles: [urlCobertura("cobertura_municipios")], minzoom: 0, maxzoom: 14 },
    cob_localidades: { type: "vector", tiles: [urlCobertura("cobertura_localidades")], minzoom: 5, maxzoom: 14 },
  };
  const capas = [{ id: "fondo", type: "background", paint: { "background-color": "#eef2f5" } }];
  if (document.body.dataset.basemap) {
    fuentes.base = { type: "raster", tiles: [document.body.dataset.basemap], tileSize: 256 };
    capas.push({ id: "base", type: "raster", source: "base" });
  }
  const oculta = { visibility: "none" };
  capas.push(
    { id: "municipios-relleno", type: "fill", source: "municipios", "source-layer": "municipios",
      paint: { "fill-color": colorPorGrado, "fill-opacity": 0.6 } },
    { id: "cobertura-municipios", type: "fill", source: "cob_municipios",
      "source-layer": "cobertura_municipios", layout: oculta,
      paint: { "fill-color": colorPorCobertura, "fill-opacity": 0.75 } },
    { id: "municipios-borde", type: "line", source: "municipios", "source-layer": "municipios",
      paint: { "line-color": "#555", "line-width": 0.4 } },
    { id: "localidades", type: "circle", source: "localidades", "source-layer": "localidades",
      minzoom: 7.5,
      paint: { "circle-color": colorPorGrado, "circle-radius": radioPorPoblacion,
               "circle-stroke-color": "#333", "circle-stroke-width": 0.6 } },
    { id: "cobertura-localidades", type: "circle", source: "cob_localidades",
      "source-layer": "cobertura_localidades", minzoom: 7.5, layout: oculta,
      paint: { "circle-color": colorPorCobertura, "circle-radius": radioPorPoblacion,
               "circle-stroke-color": colorPorGrado, "circle-stroke-width": 2 } },
    { id: "brechas", type: "circle", source: "cob_localidades",
      "source-layer": "cobertura_localidades", minzoom: 7.5, layout: oculta,
      paint: { "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#b2182b",
               "circle-stroke-width": 2.5,
               "circle-radius": ["+", 4, radioPorPoblacion] } },
  );

  const mapa = new maplibregl.Map({
    container: "mapa",
    style: { version: 8, sources: fuentes, layers: capas },
    center: [-96.45, 17.05], zoom: 6.6, minZoom: 5, maxZoom: 16,
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
    return `<br>Cobertura ${texto(estado.periodo || "")} (${texto(programas)}): ` +
      `${texto(formato.format(p.personas))} personas, ${texto(porcentaje(p.cobertura))}`;
  }
  mapa.on("click", (evento) => {
    const [loc] = mapa.queryRenderedFeatures(evento.point, { layers: ["cobertura-localidades", "localidades"] });
    if (loc) {
      const p = loc.properties;
      const extra = loc.layer.id === "cobertura-localidades" ? lineaCobertura(p) : "";
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
  for (const [, color, etiqueta] of CLASES) muestra(document.getElementById("leyenda-clases"), color, etiqueta);
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
    mapa.getSource("cob_municipios").setTiles([urlCobertura("cobertura_municipios")]);
    mapa.getSource("cob_localidades").setTiles([urlCobertura("cobertura_localidades")]);
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

  Promise.all([
    fetch(origen + "/cobertura/calculada").then((r) => r.json()),
    fetch(origen + "/cobertura/periodo").then((r) => r.json()),
  ]).then(([calculada, predeterminado]) => {
    const periodos = [...new Set(calculada.map((c) => c.periodo ?? ""))];
    const selector = document.getElementById("filtro-periodo");
    for (const periodo of periodos) {
      const opcion = document.createElement("option");
      opcion.value = periodo;
      opcion.textContent = periodo || "(sin periodo)";
      selector.append(opcion);
    }
    const programas = [...new Set(calculada.map((c) => c.programa))].sort();
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
      estado.periodo = periodos.includes(predeterminado.periodo) ? predeterminado.periodo : periodos[0];
      selector.value = estado.periodo;
      recargarTeselas();
    }
  });
  mapa.on("load", aplicarFiltros);
})();
