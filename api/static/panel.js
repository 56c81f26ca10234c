// Admin control panel: reads /panel/datos with the token of the session started on /campo and
// draws it: figures formatted for Mexico (es-MX), charts (Chart.js), the program-overlap matrix,
// a coverage map (MapLibre over the service's own tiles). Every chart downloads as CSV.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const entero = new Intl.NumberFormat("es-MX", { maximumFractionDigits: 0 });
  const pesos = new Intl.NumberFormat("es-MX", { style: "currency", currency: "MXN" });
  const porciento = new Intl.NumberFormat("es-MX", { style: "percent", maximumFractionDigits: 1 });
  const fecha = new Intl.DateTimeFormat("es-MX", { dateStyle: "medium", timeZone: "America/Mexico_City" });
  const PALETA = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];
  const PRECISIONES = {
    verificado_campo: ["Verificado en campo", "#08519c"], croquis: ["Croquis", "#1a9850"],
    croquis_corregido: ["Croquis corregido", "#91cf60"], campo_impreciso: ["Campo impreciso", "#6baed6"],
    localidad: ["Localidad", "#fee08b"], municipio: ["Municipio", "#fc8d59"], sin_ubicar: ["Sin ubicar", "#d73027"],
  };
  const CLASES = [[0, "#f7fbff", "0 %"], [0.01, "#c6dbef", "1 %"], [0.05, "#6baed6", "5 %"],
    [0.1, "#2171b5", "10 %"], [0.25, "#08306b", "25 % o más"]];
  const SIN_DATO = "#bdbdbd";

  Chart.defaults.locale = "es-MX";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  const graficas = {};
  const tablas = {}; // name → { archivo, filas } for the CSV downloads
  let mapa = null;

  function sesion() {
    try {
      const guardada = JSON.parse(localStorage.getItem("padronSesion"));
      if (guardada && Date.parse(guardada.expira) > Date.now()) return guardada;
    } catch (error) { /* nothing usable stored */ }
    return null;
  }

  async function cargar(periodo) {
    const s = sesion();
    if (!s) { $("mensaje").textContent = ""; $("sin-sesion").hidden = false; return; }
    const ruta = "/panel/datos" + (periodo ? "?" + new URLSearchParams({ periodo }) : "");
    const respuesta = await fetch(ruta, { headers: { Authorization: "Bearer " + s.token } });
    const datos = await respuesta.json().catch(() => ({}));
    if (!respuesta.ok) {
      $("mensaje").textContent = datos.detalle || "Error " + respuesta.status;
      if (respuesta.status === 401) $("sin-sesion").hidden = false;
      return;
    }
    $("mensaje").textContent = "";
    $("panel").hidden = false;
    dibujar(datos);
    document.body.dataset.listo = "1";
  }

  // -- CSV ------------------------------------------------------------------------------------
  function csv(filas) {
    const celda = (v) => {
      const texto = v == null ? "" : String(v);
      return /[",\n\r]/.test(texto) ? `"${texto.replace(/"/g, '""')}"` : texto;
    };
    return "\ufeff" + filas.map((f) => f.map(celda).join(",")).join("\r\n") + "\r\n";
  }
  document.addEventListener("click", (evento) => {
    const nombre = evento.target.dataset && evento.target.dataset.csv;
    if (!nombre || !tablas[nombre]) return;
    const enlace = document.createElement("a");
    enlace.href = URL.createObjectURL(new Blob([csv(tablas[nombre].filas)], { type: "text/csv;charset=utf-8" }));
    enlace.download = tablas[nombre].archivo;
    document.body.append(enlace); enlace.click(); enlace.remove();
  });

  // -- drawing --------------------------------------------------------------------------------
  function grafica(id, config) {
    if (graficas[id]) graficas[id].destroy();
    graficas[id] = new Chart($(id), config);
  }

  function tabla(id, cabecera, filas, numericas) {
    const thead = document.createElement("thead"); const tr = document.createElement("tr");
    cabecera.forEach((c, i) => {
      const th = document.createElement("th"); th.textContent = c; if (numericas.includes(i)) th.className = "n"; tr.append(th);
    });
    thead.append(tr);
    const tbody = document.createElement("tbody");
    for (const fila of filas) {
      const tr2 = document.createElement("tr");
      fila.forEach((v, i) => {
        const td = document.createElement("td"); td.textContent = v; if (numericas.includes(i)) td.className = "n"; tr2.append(td);
      });
      tbody.append(tr2);
    }
    $(id).replaceChildren(thead, tbody);
  }

  function dibujar(d) {
    const sufijo = d.periodo || "sin-periodo";
    document.querySelectorAll(".p").forEach((e) => { e.textContent = d.periodo || "sin periodo"; });
    if (d.periodos.length) {
      $("elegir-periodo").hidden = false;
      $("periodo").replaceChildren(...d.periodos.map((p) => new Option(p || "sin periodo", p, false, p === d.periodo)));
    }
    cifras(d);
    regiones(d, sufijo);
    programas(d, sufijo);
    traslape(d);
    mapaCobertura(d, sufijo);
    calidadPorCarga(d);
    totales(d);
  }

  function cifras(d) {
    const registros = d.por_programa.reduce((s, p) => s + p.registros, 0);
    const importe = d.por_programa.reduce((s, p) => s + Number(p.importe || 0), 0);
    const repetidas = Object.values(d.duplicados.inscripciones_repetidas).reduce((s, n) => s + n, 0);
    const items = [
      ["Personas únicas", entero.format(d.cobertura.personas)],
      ["Población del estado", d.cobertura.poblacion == null ? "sin dato" : entero.format(d.cobertura.poblacion)],
      ["Cobertura del estado", d.cobertura.pct == null ? "sin dato" : porciento.format(d.cobertura.pct / 100)],
      ["Registros", entero.format(registros)],
      ["Importe total", pesos.format(importe)],
      ["Inscripciones repetidas", entero.format(repetidas)],
      ["Importe con duplicidad", pesos.format(Number(d.duplicados.importe_involucrado))],
    ];
    $("cifras").replaceChildren(...items.map(([k, v]) => {
      const div = document.createElement("div"); const dt = document.createElement("dt"); const dd = document.createElement("dd");
      dt.textContent = k; dd.textContent = v; div.append(dt, dd); return div;
    }));
  }

  const ejePorciento = { ticks: { callback: (v) => porciento.format(v) }, beginAtZero: true };
  const etiquetaPorciento = (contexto) => `${contexto.dataset.label}: ${porciento.format(contexto.parsed.x ?? contexto.parsed.y)}`;

  function regiones(d, sufijo) {
    const filas = [...d.regiones].sort((a, b) => (b.cobertura || 0) - (a.cobertura || 0));
    grafica("g-regiones", {
      type: "bar",
      data: { labels: filas.map((r) => r.region),
        datasets: [{ label: "Cobertura", data: filas.map((r) => r.cobertura || 0), backgroundColor: "#2171b5" }] },
      options: { indexAxis: "y", scales: { x: ejePorciento },
        plugins: { legend: { display: false }, tooltip: { callbacks: {
          label: (c) => { const r = filas[c.dataIndex]; return `${porciento.format(r.cobertura || 0)} · ${entero.format(r.personas)} de ${entero.format(r.poblacion)} personas`; } } } } },
    });
    tablas.regiones = { archivo: `cobertura-regiones-${sufijo}.csv`,
      filas: [["region", "periodo", "personas", "poblacion", "cobertura"],
        ...d.regiones.map((r) => [r.region, d.periodo, r.personas, r.poblacion, r.cobertura])] };
  }

  function programas(d, sufijo) {
    const nombres = [...new Set(d.regiones.flatMap((r) => Object.keys(r.por_programa)))].sort();
    grafica("g-programas", {
      type: "bar",
      data: { labels: d.regiones.map((r) => r.region),
        datasets: nombres.map((p, i) => ({ label: p, backgroundColor: PALETA[i % PALETA.length],
          data: d.regiones.map((r) => (r.por_programa[p] ? r.por_programa[p].cobertura || 0 : 0)) })) },
      options: { indexAxis: "y", scales: { x: ejePorciento },
        plugins: { tooltip: { callbacks: { label: etiquetaPorciento } } } },
    });
    tablas.programas = { archivo: `cobertura-region-programa-${sufijo}.csv`,
      filas: [["region", "programa", "periodo", "personas", "grupo", "poblacion_grupo", "cobertura"],
        ...d.regiones.flatMap((r) => nombres.filter((p) => r.por_programa[p]).map((p) => {
          const x = r.por_programa[p];
          return [r.region, p, d.periodo, x.personas, x.grupo, x.poblacion_grupo, x.cobertura];
        }))] };
  }

  function traslape(d) {
    const { programas: nombres, personas } = d.traslape;
    if (!nombres.length) {
      const vacia = document.createElement("caption"); vacia.textContent = "Sin personas resueltas todavía.";
      $("traslape").replaceChildren(vacia);
      tablas.traslape = { archivo: "traslape-programas.csv", filas: [["programa"]] };
      return;
    }
    const maximo = Math.max(1, ...personas.flatMap((fila, i) => fila.filter((_, j) => j !== i)));
    const thead = document.createElement("thead"); const tr = document.createElement("tr");
    tr.append(document.createElement("th"));
    for (const p of nombres) { const th = document.createElement("th"); th.textContent = p; th.className = "n"; tr.append(th); }
    thead.append(tr);
    const tbody = document.createElement("tbody");
    personas.forEach((fila, i) => {
      const fil = document.createElement("tr"); const th = document.createElement("th"); th.textContent = nombres[i]; fil.append(th);
      fila.forEach((n, j) => {
        const td = document.createElement("td"); td.textContent = entero.format(n);
        if (i === j) td.className = "diagonal";
        else if (n > 0) {
          const t = n / maximo; // shade by the largest overlap; the diagonal is not compared
          td.style.background = `rgba(217, 95, 2, ${(0.12 + 0.75 * t).toFixed(3)})`;
          if (t > 0.6) td.style.color = "#fff";
        }
        td.title = i === j ? `${nombres[i]}: ${entero.format(n)} personas` : `${nombres[i]} y ${nombres[j]}: ${entero.format(n)} personas`;
        fil.append(td);
      });
      tbody.append(fil);
    });
    $("traslape").replaceChildren(thead, tbody);
    tablas.traslape = { archivo: "traslape-programas.csv",
      filas: [["programa", ...nombres], ...personas.map((fila, i) => [nombres[i], ...fila])] };
  }

  function color(cobertura) {
    if (cobertura == null) return SIN_DATO;
    let elegido = CLASES[0][1];
    for (const [limite, c] of CLASES) if (cobertura >= limite) elegido = c;
    return elegido;
  }

  function mapaCobertura(d, sufijo) {
    const colores = ["match", ["get", "cvegeo"]];
    for (const m of d.municipios) colores.push(m.cvegeo, color(m.cobertura));
    colores.push(SIN_DATO);
    const relleno = d.municipios.length ? colores : SIN_DATO;
    if (!mapa) {
      mapa = new maplibregl.Map({
        container: "mapa", fadeDuration: 0, attributionControl: false, dragRotate: false,
        bounds: [[-98.6, 15.6], [-93.8, 18.7]], fitBoundsOptions: { padding: 8 },
        style: { version: 8, sources: { municipios: { type: "vector", maxzoom: 12,
          tiles: [`${window.location.origin}/teselas/municipios/{z}/{x}/{y}.pbf`],
          attribution: "INEGI, Marco Geoestadístico 2020" } },
        layers: [
          { id: "fondo", type: "background", paint: { "background-color": "#eef2f5" } },
          { id: "cobertura", type: "fill", source: "municipios", "source-layer": "municipios", paint: { "fill-color": relleno } },
          { id: "bordes", type: "line", source: "municipios", "source-layer": "municipios", paint: { "line-color": "#ffffff", "line-width": 0.4 } },
        ] },
      });
      mapa.addControl(new maplibregl.AttributionControl({ compact: true }), "bottom-right");
      mapa.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
      window.padronPanelMapa = mapa;
    } else if (mapa.isStyleLoaded()) {
      mapa.setPaintProperty("cobertura", "fill-color", relleno);
    } else {
      mapa.once("load", () => mapa.setPaintProperty("cobertura", "fill-color", relleno));
    }
    $("leyenda-mapa").replaceChildren(...[...CLASES.map(([, c, t]) => [c, t]), [SIN_DATO, "sin dato"]].map(([c, t]) => {
      const s = document.createElement("span"); s.style.setProperty("--c", c); s.textContent = t; return s;
    }));
    tablas.municipios = { archivo: `cobertura-municipios-${sufijo}.csv`,
      filas: [["cvegeo", "municipio", "periodo", "personas", "poblacion", "cobertura"],
        ...d.municipios.map((m) => [m.cvegeo, m.nom_mun, d.periodo, m.personas, m.poblacion, m.cobertura])] };
  }

  function calidadPorCarga(d) {
    const cargas = d.calidad_por_carga;
    const etiquetas = cargas.map((c) => [`#${c.carga} ${c.programa}`, fecha.format(new Date(c.terminada_en))]);
    const presentes = Object.keys(PRECISIONES).filter((p) => cargas.some((c) => c.por_precision[p]));
    grafica("g-precision", {
      type: "bar",
      data: { labels: etiquetas, datasets: presentes.map((p) => ({
        label: PRECISIONES[p][0], backgroundColor: PRECISIONES[p][1],
        data: cargas.map((c) => (c.registros ? (c.por_precision[p] || 0) / c.registros : 0)) })) },
      options: { scales: { x: { stacked: true }, y: { ...ejePorciento, stacked: true, max: 1 } },
        plugins: { tooltip: { callbacks: { label: etiquetaPorciento } } } },
    });
    const banderas = {};
    for (const c of cargas) for (const [b, n] of Object.entries(c.por_bandera)) banderas[b] = (banderas[b] || 0) + n;
    const principales = Object.keys(banderas).sort((a, b) => banderas[b] - banderas[a] || a.localeCompare(b)).slice(0, 5);
    grafica("g-banderas", {
      type: "line",
      data: { labels: etiquetas, datasets: [
        { label: "Con alguna bandera", borderColor: "#2b2d42", backgroundColor: "#2b2d42", borderWidth: 3,
          data: cargas.map((c) => (c.registros ? c.con_bandera / c.registros : 0)) },
        ...principales.map((b, i) => ({ label: b, borderColor: PALETA[i], backgroundColor: PALETA[i],
          data: cargas.map((c) => (c.registros ? (c.por_bandera[b] || 0) / c.registros : 0)) })),
      ] },
      options: { scales: { y: ejePorciento }, plugins: { tooltip: { callbacks: { label: etiquetaPorciento } } } },
    });
    const todas = Object.keys(banderas).sort();
    tablas.precision = { archivo: "precision-por-carga.csv",
      filas: [["carga", "programa", "periodo", "terminada_en", "registros", ...Object.keys(PRECISIONES)],
        ...cargas.map((c) => [c.carga, c.programa, c.periodo, c.terminada_en, c.registros,
          ...Object.keys(PRECISIONES).map((p) => c.por_precision[p] || 0)])] };
    tablas.banderas = { archivo: "banderas-por-carga.csv",
      filas: [["carga", "programa", "periodo", "terminada_en", "registros", "con_bandera", ...todas],
        ...cargas.map((c) => [c.carga, c.programa, c.periodo, c.terminada_en, c.registros, c.con_bandera,
          ...todas.map((b) => c.por_bandera[b] || 0)])] };
  }

  function totales(d) {
    tabla("totales", ["Programa", "Registros", "Personas", "Importe", "Repetidas"],
      d.por_programa.map((p) => [p.programa, entero.format(p.registros), entero.format(p.personas),
        p.importe == null ? "sin dato" : pesos.format(Number(p.importe)),
        entero.format(d.duplicados.inscripciones_repetidas[p.programa] || 0)]), [1, 2, 3, 4]);
    tablas.totales = { archivo: "totales-por-programa.csv",
      filas: [["programa", "registros", "personas", "importe", "inscripciones_repetidas"],
        ...d.por_programa.map((p) => [p.programa, p.registros, p.personas, p.importe,
          d.duplicados.inscripciones_repetidas[p.programa] || 0])] };
    tabla("cargas", ["Carga", "Programa", "Periodo", "Archivo", "Leídas", "Cargadas", "Rechazadas", "Terminada"],
      d.ultimas_cargas.map((c) => [c.carga, c.programa, c.periodo || "", c.archivo, entero.format(c.filas_leidas),
        entero.format(c.filas_cargadas), entero.format(c.filas_rechazadas), fecha.format(new Date(c.terminada_en))]), [4, 5, 6]);
    tablas.cargas = { archivo: "ultimas-cargas.csv",
      filas: [["carga", "programa", "periodo", "archivo", "filas_leidas", "filas_cargadas", "filas_rechazadas", "terminada_en", "usuario"],
        ...d.ultimas_cargas.map((c) => [c.carga, c.programa, c.periodo, c.archivo, c.filas_leidas,
          c.filas_cargadas, c.filas_rechazadas, c.terminada_en, c.usuario])] };
  }

  $("periodo").addEventListener("change", (evento) => cargar(evento.target.value));
  cargar(null).catch((error) => { $("mensaje").textContent = "No se pudo leer el panel: " + error.message; });
})();
