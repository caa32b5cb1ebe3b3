"""Placeholder until the compare screen lands."""
import streamlit as st

st.write("compare")
