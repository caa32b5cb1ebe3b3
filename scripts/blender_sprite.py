"""Blender script (run by scripts/build_sprites.py, not by Python itself): render one Sweet Home 3D model,
turned by a yaw and seen from an elevation through an orthographic camera, as two PNGs: ``beauty`` (lit by
a soft ceiling panel, a fill and the room's bounce light, on a transparent background) and ``albedo`` (the
textures' own colours); and ``render.json``: the model's height, the resolution and the pixel where the
middle of the model's base lands (where it stands on the floor or a desk). Cycles on the CPU; this
Blender build has no denoiser, so the build script smooths the shading instead.

    blender -b -P scripts/blender_sprite.py -- MODEL.obj OUT_DIR YAW_DEG ELEVATION_DEG PX_PER_M SAMPLES [HEIGHT_M]

HEIGHT_M rescales a model whose OBJ is not in centimetres to its real height (Sweet Home 3D's catalogue
sizes its models itself).
"""

import json
import math
import sys

import bpy
import mathutils

args = sys.argv[sys.argv.index("--") + 1:]
path, out = args[0], args[1]
yaw_deg, elevation_deg, px_per_m, samples = float(args[2]), float(args[3]), float(args[4]), int(args[5])
real_height_m = float(args[6]) if len(args) > 6 else 0.0

bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.wm.obj_import(filepath=path)
scene = bpy.context.scene
meshes = [o for o in scene.objects if o.type == "MESH"]
for o in meshes:
    o.scale = (0.01, 0.01, 0.01)  # Sweet Home 3D models are in centimetres
bpy.context.view_layer.update()


def corners() -> list:
    return [o.matrix_world @ mathutils.Vector(c) for o in meshes for c in o.bound_box]


def bounds() -> tuple:
    points = corners()
    return (mathutils.Vector([min(p[i] for p in points) for i in range(3)]),
            mathutils.Vector([max(p[i] for p in points) for i in range(3)]))


low, high = bounds()
if real_height_m > 0:
    for o in meshes:
        o.scale = tuple(v * real_height_m / (high.z - low.z) for v in o.scale)
    bpy.context.view_layer.update()
    low, high = bounds()
# Stand the model on the origin (the middle of its base) and turn it about the vertical axis.
centre = (low + high) / 2
pivot = bpy.data.objects.new("pivot", None)
scene.collection.objects.link(pivot)
for o in meshes:
    o.location = (o.location.x - centre.x, o.location.y - centre.y, o.location.z - low.z)
    o.parent = pivot
pivot.rotation_euler = (0, 0, math.radians(yaw_deg))
bpy.context.view_layer.update()
low, high = bounds()
height = high.z - low.z

# Matte materials: the models' textures lit by the room, not glossy plastic.
for o in meshes:
    for material in o.data.materials:
        if material and material.use_nodes:
            for node in material.node_tree.nodes:
                if node.type == "BSDF_PRINCIPLED":
                    node.inputs["Specular"].default_value = 0.25
                    node.inputs["Roughness"].default_value = 0.7
                    if not node.inputs["Alpha"].is_linked:
                        node.inputs["Alpha"].default_value = 1.0
                    node.inputs["Emission Strength"].default_value = 0.0

# The camera looks at the model from the front (-y), tilted down by the elevation; the frame fits the
# model's bounding box as the camera sees it, with a small margin.
tilt = math.radians(elevation_deg)
rotation = mathutils.Euler((math.radians(90) - tilt, 0, 0)).to_matrix()
right, up = rotation @ mathutils.Vector((1, 0, 0)), rotation @ mathutils.Vector((0, 1, 0))
points = corners()
xs, ys = [p.dot(right) for p in points], [p.dot(up) for p in points]
margin = 0.02
x0, x1 = min(xs) - margin, max(xs) + margin
# Symmetric about the model's axis, so the middle column of the picture is the middle of its base.
half = max(abs(x0), abs(x1))
x0, x1 = -half, half
y0, y1 = min(ys) - margin, max(ys) + margin
camera_data = bpy.data.cameras.new("camera")
camera_data.type = "ORTHO"
camera_data.ortho_scale = max(x1 - x0, y1 - y0)
camera = bpy.data.objects.new("camera", camera_data)
scene.collection.objects.link(camera)
forward = rotation @ mathutils.Vector((0, 0, -1))
camera.location = right * (x0 + x1) / 2 + up * (y0 + y1) / 2 - forward * 8.0
camera.rotation_euler = rotation.to_euler()
scene.camera = camera
width_px, height_px = int(round((x1 - x0) * px_per_m)), int(round((y1 - y0) * px_per_m))
scene.render.resolution_x, scene.render.resolution_y = width_px, height_px
# Where the base's middle (the origin) lands: rows from the top of the picture.
base_row = (y1 - 0.0) * px_per_m


def area_light(name: str, location: tuple, size: float, energy: float, rotation_deg: tuple) -> None:
    light = bpy.data.lights.new(name, "AREA")
    light.size, light.energy = size, energy
    lamp = bpy.data.objects.new(name, light)
    lamp.location = location
    lamp.rotation_euler = tuple(math.radians(a) for a in rotation_deg)
    scene.collection.objects.link(lamp)


# A big soft ceiling panel above, in front and a little to the left; a fill from the right; the room's
# bounce light all round (the world).
area_light("key", (-0.8, -2.2, 3.4), 3.0, 1400, (35, -12, 0))
area_light("fill", (2.0, -3.0, 1.2), 3.0, 250, (80, 30, 0))
world = bpy.data.worlds.new("room")
world.use_nodes = True
world.node_tree.nodes["Background"].inputs[0].default_value = (0.55, 0.55, 0.55, 1)
world.node_tree.nodes["Background"].inputs[1].default_value = 0.9
scene.world = world

scene.render.engine = "CYCLES"
scene.cycles.device = "CPU"
scene.cycles.samples = samples
scene.cycles.sample_clamp_indirect = 2.0
scene.cycles.use_denoising = False
scene.render.film_transparent = True
scene.view_settings.view_transform = "Standard"
scene.render.image_settings.file_format = "PNG"
scene.render.image_settings.color_mode = "RGBA"
scene.view_layers[0].use_pass_diffuse_color = True
# Beauty and albedo (the diffuse colour pass, with the render's coverage) written side by side.
scene.use_nodes = True
tree = scene.node_tree
tree.nodes.clear()
layers = tree.nodes.new("CompositorNodeRLayers")
composite = tree.nodes.new("CompositorNodeComposite")
tree.links.new(layers.outputs["Image"], composite.inputs["Image"])
files = tree.nodes.new("CompositorNodeOutputFile")
files.base_path = out
files.format.file_format = "PNG"
files.format.color_mode = "RGBA"
files.file_slots.clear()
files.file_slots.new("beauty")
files.file_slots.new("albedo")
tree.links.new(layers.outputs["Image"], files.inputs["beauty"])
with_alpha = tree.nodes.new("CompositorNodeSetAlpha")
tree.links.new(layers.outputs["DiffCol"], with_alpha.inputs["Image"])
tree.links.new(layers.outputs["Alpha"], with_alpha.inputs["Alpha"])
tree.links.new(with_alpha.outputs["Image"], files.inputs["albedo"])
scene.render.filepath = out + "/_composite"
bpy.ops.render.render(write_still=True)

with open(out + "/render.json", "w") as f:
    json.dump({"height_m": height, "px_per_m": px_per_m, "size": [width_px, height_px], "yaw_deg": yaw_deg,
               "elevation_deg": elevation_deg, "base_px": [width_px / 2, base_row]}, f)
